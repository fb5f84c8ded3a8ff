/**
 * npm run test:browser: the browser test subset in Debian's headless
 * Chromium (driven by playwright-core, never a downloaded browser), on the
 * webgl and webgpu backends (SwiftShader), compared with the cpu backend
 * in the same page. Prints each backend and its result; exits non-zero on
 * any failure.
 *
 * Each GPU backend runs with the library's defaults (`ritzSolve: 'auto'`),
 * and is compared with cpu running the same algorithm: webgl resolves to
 * the host solve, webgpu (no reliable synchronous read) to the device solve.
 * The cpu reference is run both ways. The subspace method with one warm
 * iteration per training step is itself approximate, so comparing different
 * algorithms would measure that, not the backend.
 *
 * Then the browser example page (examples/browser) trains two epochs on
 * webgl, and its target-alpha slider is moved: the page must plot and
 * restart towards the new target.
 *
 * When Chromium is missing the script says so and exits 0, unless CI is
 * set, where a missing browser is a failure.
 */
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium, serveFiles } from '../../examples/browser/chromium';
import { buildExample, exampleSettled, type ExampleState } from '../../examples/browser/serve';

type Result = { backend: string; error?: string; spectrum: number[]; gradient: number[]; alpha: number; loss: number; weights: number[]; fgsm: number[]; pgd: number[] };

const maxRel = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.max(Math.abs(b[i]!), 1e-6)));
const maxAbs = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
const norm = (a: number[]) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const sameFraction = (a: number[], b: number[]) => a.filter((v, i) => Math.abs(v - b[i]!) < 1e-4).length / a.length;

/** Stated tolerances: GPU backends round differently, so sign steps may flip on near-zero gradients. */
function compare(result: Result, cpu: Result): string[] {
  const failures: string[] = [];
  const check = (name: string, value: number, limit: number) => {
    if (!(value <= limit)) failures.push(`${name} ${value.toExponential(2)} > ${limit}`);
  };
  check('spectrum max rel. error', maxRel(result.spectrum, cpu.spectrum), 1e-3);
  check('loss gradient rel. error (norm)', norm(result.gradient.map((v, i) => v - cpu.gradient[i]!)) / norm(cpu.gradient), 1e-2);
  check('fit: alpha abs. error', Math.abs(result.alpha - cpu.alpha), 1e-3);
  check('fit: loss abs. error', Math.abs(result.loss - cpu.loss), 1e-4);
  check('fit: weights max abs. error', maxAbs(result.weights, cpu.weights), 1e-4);
  check('fgsm: fraction of inputs differing', 1 - sameFraction(result.fgsm, cpu.fgsm), 0.01);
  check('pgd: fraction of inputs differing', 1 - sameFraction(result.pgd, cpu.pgd), 0.02);
  return failures;
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) {
    const message = `browser tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
    if (process.env.CI) throw new Error(message);
    console.log(`${message}; skipped`);
    return;
  }
  const browser = await launchChromium();
  let failed = 0;
  try {
    failed += await backendSubset(browser);
    failed += await examplePage(browser);
  } finally {
    await browser.close();
  }
  console.log(`browser tests: ${failed === 0 ? 'all passed' : `${failed} failed`}`);
  if (failed > 0) process.exit(1);
}

/** The library subset on webgl and webgpu against cpu; returns the number of failed backends. */
async function backendSubset(browser: Browser): Promise<number> {
  const bundle = await build({ entryPoints: ['test/browser/page.ts'], bundle: true, format: 'esm', write: false, platform: 'browser', logLevel: 'error' });
  const { server, url } = await serveFiles({
    '/': { body: '<!doctype html><script type="module" src="/page.js"></script>', type: 'text/html' },
    '/page.js': { body: bundle.outputFiles[0]?.text ?? '', type: 'text/javascript' },
  });
  let failed = 0;
  try {
    // A fresh page per backend: one GPU backend's context must not disturb the next one.
    const runBackend = async (backend: string, ritzSolve: 'auto' | 'host' | 'device') => {
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
      await page.goto(`${url}/`);
      await page.waitForFunction(() => 'runBackend' in window, undefined, { timeout: 60_000 });
      const result = await page.evaluate(
        ([b, r]) => (window as unknown as { runBackend: (b: string, r: string) => Promise<Result> }).runBackend(b, r),
        [backend, ritzSolve] as const,
      );
      await page.close();
      return result;
    };
    const references = { host: await runBackend('cpu', 'host'), device: await runBackend('cpu', 'device') };
    for (const [solve, cpu] of Object.entries(references)) {
      if (cpu.error) throw new Error(`cpu reference (${solve} solve) failed: ${cpu.error}`);
      console.log(`cpu, ${solve} solve: reference (spectrum ${cpu.spectrum.map((v) => v.toFixed(4)).join(', ')}; alpha after one epoch ${cpu.alpha.toFixed(4)})`);
    }
    const gpuBackends = [
      { backend: 'webgl', solve: 'host' },
      { backend: 'webgpu', solve: 'device' },
    ] as const;
    for (const { backend, solve } of gpuBackends) {
      const cpu = references[solve];
      const result = await runBackend(backend, 'auto');
      const failures = result.error ? [result.error] : compare(result, cpu);
      if (failures.length === 0) {
        console.log(
          `${backend} (auto = ${solve} solve): ok (spectrum rel. error ${maxRel(result.spectrum, cpu.spectrum).toExponential(1)}, ` +
            `alpha ${result.alpha.toFixed(4)} vs ${cpu.alpha.toFixed(4)}, fit loss error ${Math.abs(result.loss - cpu.loss).toExponential(1)}, fgsm/pgd agree with cpu)`,
        );
      } else {
        failed++;
        console.log(`${backend}: FAILED: ${failures.join('; ')}`);
      }
    }
  } finally {
    server.close();
  }
  return failed;
}

/** The example page: two epochs on webgl, plots drawn, and the slider restarts training. */
async function examplePage(browser: Browser): Promise<number> {
  const { server, url } = await serveFiles(await buildExample());
  const page = await browser.newPage();
  const readState = () => page.evaluate(() => (window as unknown as { exampleState: ExampleState }).exampleState);
  const failures: string[] = [];
  try {
    await page.goto(`${url}/?backend=webgl&epochs=2&alpha=3`);
    await page.waitForFunction(exampleSettled, undefined, { timeout: 300_000 });
    const first = await readState();
    if (first.error) throw new Error(first.error);
    const plots = await page.evaluate(() => ['spectrum', 'alpha'].map((id) => document.querySelectorAll(`#${id} svg path`).length));
    if (first.epochs.length !== 2) failures.push(`expected 2 epochs, got ${first.epochs.length}`);
    if (!first.epochs.every((e) => Number.isFinite(e.testAlpha) && e.accuracy > 0.5)) failures.push(`bad epoch values ${JSON.stringify(first.epochs)}`);
    if (!plots.every((n) => n > 0)) failures.push(`plots not drawn (${plots.join(', ')} paths)`);
    // Move the slider to 1.5: training restarts towards the new target.
    await page.locator('#target').fill('1.5');
    await page.waitForFunction(() => (window as unknown as { exampleState: ExampleState }).exampleState.target === 1.5, undefined, { timeout: 10_000 });
    await page.waitForFunction(exampleSettled, undefined, { timeout: 300_000 });
    const second = await readState();
    if (second.error) throw new Error(second.error);
    if (second.epochs.length !== 2) failures.push(`after the slider: expected 2 epochs, got ${second.epochs.length}`);
    const lastAlpha = (s: ExampleState) => s.epochs[s.epochs.length - 1]?.testAlpha ?? Number.NaN;
    if (!(lastAlpha(second) < lastAlpha(first))) failures.push(`a lower target should give a lower alpha: ${lastAlpha(second)} vs ${lastAlpha(first)}`);
    if (failures.length === 0) {
      console.log(
        `example page (webgl): ok (target 3: alpha ${lastAlpha(first).toFixed(2)}, accuracy ${first.epochs[1]?.accuracy.toFixed(3)}; ` +
          `slider to 1.5: alpha ${lastAlpha(second).toFixed(2)}; plots drawn)`,
      );
    }
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    await page.close();
    server.close();
  }
  if (failures.length > 0) console.log(`example page: FAILED: ${failures.join('; ')}`);
  return failures.length > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
