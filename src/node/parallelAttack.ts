import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { concat, getBackend, io, slice, tensor, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkAttackInputs } from '../attacks/inputs';
import { prepareAttack } from '../attacks/attackCore';
import { ATTACK_OPTION_KEYS, PGD_OPTION_KEYS, resolveAttackOptions, type PgdOptions } from '../attacks/options';
import { warnIfUnreachable } from '../attacks/reach';
import { assertIntegerIn, assertKnownOptions, assertOneOf, describe } from '../internal/validate';

/**
 * Options of {@link parallelAttack}: the attack, the worker count, and that attack's options.
 * @example
 * ```ts
 * const options: ParallelAttackOptions = { attack: 'pgd', epsilon: 0.05, workers: 4 };
 * const xAdv = await parallelAttack(model, xTest, yTest, options);
 * ```
 */
export interface ParallelAttackOptions extends PgdOptions {
  /** Which attack. */
  attack: 'fgsm' | 'pgd';
  /** Worker threads, each with its own single-threaded backend. @default the number of CPU cores */
  workers?: number;
}

/**
 * Runs `fgsm` or `pgd` (from `spectral-reg`) on all cores in Node: the inputs are split
 * into one contiguous share per worker thread, each worker rebuilds the
 * model from its saved artifacts and attacks its share on its own backend
 * (wasm runs one thread per instance), and the results are concatenated in
 * order. Without random starts the result matches the single-threaded
 * call up to float32 round-off. With `randomStart` or `restarts`, each share
 * draws its own seeded starts, so results differ from one batch (as they do
 * for a different `batchSize`) while being equally valid. Workers use the calling
 * thread's backend (`wasm`, `cpu` or `tensorflow`). A custom `loss` function
 * cannot cross to a worker and is rejected. x, y and the model are checked
 * as in `fgsm` before any worker starts, and the warning `pgd` gives when
 * `steps` x `stepSize` < epsilon comes once, from this thread. Each call starts its workers
 * (about a second), so it pays off for long attacks such as PGD-40 on
 * hundreds of inputs.
 *
 * @example
 * ```ts
 * import { setupNodeBackend, parallelAttack } from 'spectral-reg/node';
 *
 * await setupNodeBackend();
 * const xAdv = await parallelAttack(model, xTest, yTest, { attack: 'pgd', epsilon: 0.05 });
 * ```
 */
export async function parallelAttack(model: LayersModel, x: Tensor, y: Tensor, options: ParallelAttackOptions): Promise<Tensor> {
  const fn = 'parallelAttack';
  if (options === undefined) throw new TypeError(`${fn}: options with an attack and an epsilon are required, got undefined`);
  assertOneOf(fn, 'attack', options.attack, ['fgsm', 'pgd'] as const);
  assertKnownOptions(fn, options, ['attack', 'workers', ...(options.attack === 'pgd' ? PGD_OPTION_KEYS : ATTACK_OPTION_KEYS)]);
  const { attack, workers: requested, ...attackOptions } = options;
  const resolved = resolveAttackOptions(fn, attackOptions);
  if (attackOptions.loss !== undefined) throw new TypeError(`${fn}: a custom loss function cannot be sent to worker threads; use fgsm or pgd directly`);
  const workers = requested ?? cpus().length;
  assertIntegerIn(fn, 'workers', workers, 1, 256);
  const { batch } = checkAttackInputs(fn, x, y);
  if (typeof (model as { save?: unknown }).save !== 'function') throw new TypeError(`${fn}: model must be a tfjs-layers LayersModel, got ${describe(model)}`);
  // fgsm's own checks of model, x's range and y's values, on the whole batch before any worker starts,
  // so that an error names the index in the y given, not in a worker's share.
  prepareAttack(fn, model, x, y, resolved).dispose();
  // Warned here, once; the workers are silenced so that they do not repeat it each.
  if (attack === 'pgd') warnIfUnreachable(fn, resolved, [resolved.epsilon]);
  const backend = getBackend();
  if (backend !== 'wasm' && backend !== 'cpu' && backend !== 'tensorflow') {
    throw new RangeError(`${fn}: workers can run on the wasm, cpu or tensorflow backend, but the current one is ${describe(backend)}`);
  }

  let artifacts: io.ModelArtifacts | undefined;
  await model.save(
    io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const shares = Math.max(1, Math.min(workers, batch));
  const per = Math.ceil(batch / shares);
  const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './attackWorker.ts' : './attackWorker.js', import.meta.url);
  const jobs: Array<Promise<Float32Array>> = [];
  const shapes: number[][] = [];
  for (let start = 0; start < batch; start += per) {
    const size = Math.min(per, batch - start);
    const xPart = slice(x, start, size);
    const yPart = slice(y, start, size);
    shapes.push(xPart.shape);
    const data = {
      backend,
      artifacts,
      attack,
      options: attackOptions,
      x: xPart.dataSync() as Float32Array,
      xShape: xPart.shape,
      y: yPart.dataSync(),
      yShape: yPart.shape,
      yDtype: yPart.dtype,
    };
    xPart.dispose();
    yPart.dispose();
    jobs.push(
      new Promise((resolve, reject) => {
        // The built package runs plain JavaScript; the TypeScript sources (development, tests) load through tsx.
        const worker = workerUrl.pathname.endsWith('.ts')
          ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`, { eval: true, workerData: data, execArgv: [] })
          : new Worker(workerUrl, { workerData: data, execArgv: [] });
        worker.once('message', (message: Float32Array | { error: string }) => {
          void worker.terminate();
          if (message instanceof Float32Array) resolve(message);
          else reject(new Error(`${fn}: a worker failed: ${message.error}`));
        });
        worker.once('error', reject);
      }),
    );
  }
  const results = await Promise.all(jobs);
  const parts = results.map((values, i) => tensor(values, shapes[i]));
  const adversarial = concat(parts, 0);
  for (const part of parts) part.dispose();
  return adversarial;
}
