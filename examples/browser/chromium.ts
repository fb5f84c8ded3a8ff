/**
 * Serving a bundled page on loopback and driving Debian's headless Chromium
 * through playwright-core (never a downloaded browser). Shared by the browser
 * example (examples/browser/serve.ts) and the browser tests (test/browser).
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';

/** Debian's `chromium` package; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--no-first-run',
  // This machine's network is closed: without these Chromium keeps trying to reach Google.
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGPU on SwiftShader (Chromium's CPU Vulkan); WebGL2 uses SwiftShader by default here.
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

/** A file served from memory: its bytes and content type. */
export interface ServedFile {
  body: string | Uint8Array;
  type: string;
}

/** Serves `files` (keyed by URL path, '/' for the page) on 127.0.0.1; resolves to the server and its base URL. */
export async function serveFiles(files: Record<string, ServedFile>, port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] as string;
    const file = files[path];
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`not found: ${path}`);
      return;
    }
    response.writeHead(200, { 'content-type': file.type });
    response.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}` };
}
