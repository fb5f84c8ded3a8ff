/**
 * npm run bench [-- --backends wasm,cpu --repeats 5 --suites node,spectral,attacks,threads --threads 1,2 --peer ../shared/bench/torch_reference.py]
 * npm run bench -- --suites protocol --backends webgpu,wasm [--repeats 3 --batch 1500 --cnn-batch 6000 --pgd-inputs 10000 --pgd-steps 40 --threads N]
 *
 * The protocol suite (bench/protocol.ts) is measured only when asked for:
 * at the paper's sizes it takes minutes on a CPU.
 *
 * In this process wasm runs on 1 thread, as in earlier records; the threads
 * suite measures 1 thread against all cores (or the --threads counts), one
 * child process per count (bench/threads.ts).
 *
 * --backends takes wasm, cpu, tensorflow (tfjs-node) and webgpu (Dawn in
 * Node, package `webgpu`; any adapter it finds, software ones included:
 * setupNodeBackend prints which). On webgpu, timed calls end with an
 * asynchronous read so that the queued GPU work is counted, and the exact
 * eigensolver (a synchronous read of the whole matrix) is not measured.
 *
 * The spectral core at the paper's shallow-MLP hidden layer: N = 1500
 * activations x f = 2000 features. Prints, per backend, medians measured in
 * this one run and the ratios between them:
 *   - eigenspectrum at k = 10: 'exact' (host eigensolver) vs 'subspace' (cold and warm);
 *   - spectralLoss + its gradient, warm-started as in training, range [0, 10];
 *   - that cost as a fraction of one training step of
 *     Dense(784 -> 2000, tanh) -> Dense(10, softmax), batch 1500, Adam;
 *   - that training step with and without a SpectralRegularizer layer.
 * Timings are numbers to read, never assertions.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { eigenspectrum, fgsm, pgd, spectralLoss, SubspaceState } from '../src/index';
import { parallelAttack, setupNodeBackend } from '../src/node/index';
import { syncReadsAreReliable } from '../src/internal/backendReads';
import { argument, C, D, finish, H, N, paperCnn, shallowMlp, shallowStepTimes, time } from './common';
import { benchProtocol, printProtocol } from './protocol';
import { benchThreads, printThreads, type ThreadsFigures } from './threads';

/** Selects a backend; wasm always with this package's kernel fixes, as users get it from setupNodeBackend, on 1 thread. */
async function useBackend(backend: string): Promise<void> {
  if (backend === 'wasm') await setupNodeBackend({ backend: 'wasm', threads: 1, quiet: true });
  else if (backend === 'webgpu' || backend === 'tensorflow') await setupNodeBackend({ backend }); // prints the adapter
  else {
    await tf.setBackend(backend);
    await tf.ready();
  }
}

async function trainStepTime(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, repeats: number): Promise<number> {
  return time(async () => {
    await model.trainOnBatch(x, y);
  }, repeats);
}

/**
 * Training on Node without tfjs-node: the shallow-MLP step on wasm as
 * shipped and with setupNodeBackend's kernel fixes (measured in that order:
 * the fixes cannot be undone in a process), and the paper's CNN step
 * (batch CNN_BATCH) on wasm, which cannot train there as shipped, against cpu.
 */
const CNN_BATCH = 256;
async function benchNodeBackend(repeats: number): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  await tf.setBackend('wasm');
  await tf.ready();
  const x = tf.randomUniform([N, D], 0, 1, 'float32', 8);
  const y = tf.oneHot(tf.randomUniform([N], 0, C, 'int32', 9), C);
  const before = shallowMlp();
  result.mlp_step_wasm_unpatched_s = await trainStepTime(before, x, y, Math.min(repeats, 2));
  before.dispose();
  await useBackend('wasm');
  const after = shallowMlp();
  result.mlp_step_wasm_s = await trainStepTime(after, x, y, repeats);
  after.dispose();
  result.mlp_unpatched_over_patched = result.mlp_step_wasm_unpatched_s / result.mlp_step_wasm_s;
  tf.dispose([x, y]);
  for (const backend of ['wasm', 'cpu']) {
    await useBackend(backend);
    const images = tf.randomUniform([CNN_BATCH, 28, 28, 1], 0, 1, 'float32', 10);
    const labels = tf.oneHot(tf.randomUniform([CNN_BATCH], 0, C, 'int32', 11), C);
    const cnn = paperCnn();
    result[`cnn_step_${backend}_s`] = await trainStepTime(cnn, images, labels, backend === 'cpu' ? 1 : repeats);
    cnn.dispose();
    tf.dispose([images, labels]);
  }
  result.cnn_cpu_over_wasm = (result.cnn_step_cpu_s as number) / (result.cnn_step_wasm_s as number);
  return result;
}

async function benchBackend(backend: string, repeats: number): Promise<Record<string, number>> {
  await useBackend(backend);
  // Two batches from one distribution: warm-started calls alternate between them, as
  // training does with shuffled batches, so the warm start never sees the same batch twice in a row.
  const mixing = tf.randomNormal([H, H], 0, 1 / Math.sqrt(H), 'float32', 4);
  const batches = [1, 2].map((seed) =>
    tf.tidy(() => tf.tanh(tf.matMul(tf.mul(tf.randomNormal([N, H], 0, 1, 'float32', seed), tf.pow(tf.range(1, H + 1), -0.75)), mixing))),
  );
  const hidden = batches[0] as tf.Tensor;
  let turn = 0;
  const nextBatch = () => batches[turn++ % 2] as tf.Tensor;
  const result: Record<string, number> = {};

  // The exact eigensolver reads the matrix back synchronously: not on webgpu.
  result.exact_k10_s = syncReadsAreReliable()
    ? await time(() => {
        eigenspectrum(hidden, { method: 'exact', k: 10 }).dispose();
      }, 1)
    : Number.NaN;
  result.subspace_cold_k10_s = await time(() => finish(eigenspectrum(hidden, { method: 'subspace', k: 10 })), repeats);
  const state = new SubspaceState();
  result.subspace_warm_k10_s = await time(() => finish(eigenspectrum(nextBatch(), { method: 'subspace', k: 10, state })), repeats);

  // The same warm call with ritzSolve 'device' (webgpu's default): nothing read back, fixed
  // Gram-Schmidt + Jacobi op counts instead of a host solve.
  const deviceState = new SubspaceState();
  result.subspace_warm_device_k10_s = await time(() => finish(eigenspectrum(nextBatch(), { method: 'subspace', k: 10, state: deviceState, ritzSolve: 'device' })), repeats);
  deviceState.dispose();
  result.device_over_host_warm = result.subspace_warm_device_k10_s / result.subspace_warm_k10_s;

  const lossAndGradient = tf.valueAndGrad((h: tf.Tensor) => spectralLoss(h, { targetAlpha: 3, range: [0, 10], state }));
  result.loss_grad_warm_s = await time(async () => {
    const { value, grad } = lossAndGradient(nextBatch());
    if (syncReadsAreReliable()) grad.dataSync();
    else await grad.data();
    tf.dispose([value, grad]);
  }, repeats);
  state.dispose();

  // The paper's shallow MLP, without and with SpectralRegularizer (range [0, 10]).
  const steps = await shallowStepTimes(N, Math.max(1, Math.min(repeats, backend === 'cpu' ? 2 : repeats)));
  result.train_step_s = steps.plain;
  result.train_step_regularized_s = steps.regularized;
  result.regularized_over_plain_step = steps.regularized / steps.plain;
  result.loss_grad_over_step = result.loss_grad_warm_s / steps.plain;
  result.exact_over_subspace_warm = result.exact_k10_s / result.subspace_warm_k10_s;
  tf.dispose([...batches, mixing]);
  return result;
}

/**
 * FGSM and PGD (epsilon 0.05, step 0.01) on 1000 MNIST-shaped inputs against the paper's
 * shallow MLP. On cpu, PGD runs 2 steps and reports the per-step time times 40 as an
 * estimate (40 real steps take minutes there); on other backends it runs all 40.
 */
async function benchAttacks(backend: string, repeats: number): Promise<Record<string, number>> {
  await useBackend(backend);
  const model = shallowMlp();
  const x = tf.randomUniform([1000, D], 0, 1, 'float32', 6);
  const y = tf.randomUniform([1000], 0, C, 'int32', 7);
  const result: Record<string, number> = {};
  result.fgsm_1000_s = await time(() => finish(fgsm(model, x, y, { epsilon: 0.05 })), repeats);
  const steps = backend === 'cpu' ? 2 : 40;
  const pgdTime = await time(() => finish(pgd(model, x, y, { epsilon: 0.05, stepSize: 0.01, steps })), backend === 'cpu' ? 1 : Math.min(repeats, 3));
  result.pgd40_1000_s = (pgdTime * 40) / steps;
  result.pgd_steps_measured = steps;
  if (backend === 'wasm') {
    // All cores: one worker thread per core, each with its own wasm instance (includes worker start-up).
    result.pgd40_1000_parallel_s = await time(async () => {
      (await parallelAttack(model, x, y, { attack: 'pgd', epsilon: 0.05, stepSize: 0.01, steps: 40 })).dispose();
    }, Math.min(repeats, 3));
  }
  tf.dispose([x, y]);
  model.dispose();
  return result;
}

/** The PyTorch peer of ../shared/bench, run in this same process tree when asked (never in CI). */
function runPeer(path: string): Record<string, number> | null {
  if (!existsSync(path)) {
    console.log(`peer: ${path} not found; skipped`);
    return null;
  }
  const output = execFileSync('/usr/bin/python3', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as Record<string, number>;
}

async function main(): Promise<void> {
  const backends = argument('backends', 'wasm,cpu').split(',');
  const repeats = Number(argument('repeats', '5'));
  const suites = argument('suites', 'node,spectral,attacks,threads').split(',');
  const threadCounts = [...new Set(argument('threads', `1,${availableParallelism()}`).split(',').map(Number))];
  const peerPath = argument('peer', '');
  console.log(`spectral-reg bench: N = ${N}, f = ${H}, k = 10, tfjs ${tf.version_core}, median of ${repeats}`);
  const all: Record<string, Record<string, number | string>> = {};
  let threadRuns: ThreadsFigures[] = [];
  if (suites.includes('node')) {
    const r = await benchNodeBackend(repeats);
    all.node = r;
    console.log('\n[training on Node without tfjs-node]');
    console.log(`  shallow MLP step, wasm as shipped     ${r.mlp_step_wasm_unpatched_s!.toFixed(3)} s`);
    console.log(`  shallow MLP step, wasm + fixes        ${r.mlp_step_wasm_s!.toFixed(3)} s   (${r.mlp_unpatched_over_patched!.toFixed(1)}x faster)`);
    console.log(`  paper CNN step (batch ${CNN_BATCH}), wasm + fixes ${r.cnn_step_wasm_s!.toFixed(3)} s   (cannot train on wasm as shipped)`);
    console.log(`  paper CNN step (batch ${CNN_BATCH}), cpu         ${r.cnn_step_cpu_s!.toFixed(3)} s   (cpu / wasm = ${r.cnn_cpu_over_wasm!.toFixed(1)}x)`);
  }
  if (suites.includes('protocol')) {
    const sizes = {
      batch: Number(argument('batch', '1500')),
      cnnBatch: Number(argument('cnn-batch', '6000')),
      pgdInputs: Number(argument('pgd-inputs', '10000')),
      pgdSteps: Number(argument('pgd-steps', '40')),
    };
    // wasm there runs on the most threads listed, or every core.
    const runs = benchProtocol(backends, repeats, sizes, argument('threads', '') ? String(Math.max(...threadCounts)) : '');
    for (const run of runs) all[`protocol_${run.backend}`] = run as Record<string, number | string>;
    printProtocol(runs);
  }
  if (suites.includes('threads')) {
    threadRuns = benchThreads(threadCounts, repeats);
    for (const run of threadRuns) all[`wasm_threads_${run.threads}`] = run;
    printThreads(threadRuns);
  }
  for (const backend of backends) {
    if (!suites.includes('attacks') && !suites.includes('spectral')) break;
    all[backend] = {};
    if (suites.includes('attacks')) {
      const a = await benchAttacks(backend, repeats);
      Object.assign(all[backend] as Record<string, number>, a);
      console.log(`\n[${backend}${backend === 'wasm' ? ', 1 thread' : ''}] attacks on 1000 inputs, shallow MLP`);
      console.log(`  FGSM                                ${a.fgsm_1000_s!.toFixed(3)} s`);
      console.log(`  PGD-40 (step 0.01)                  ${a.pgd40_1000_s!.toFixed(3)} s${a.pgd_steps_measured === 40 ? '' : `   (estimated from ${a.pgd_steps_measured} steps)`}`);
      if (a.pgd40_1000_parallel_s) console.log(`  PGD-40, parallelAttack (all cores)  ${a.pgd40_1000_parallel_s.toFixed(3)} s`);
    }
    if (!suites.includes('spectral')) continue;
    Object.assign(all[backend] as Record<string, number>, await benchBackend(backend, repeats));
    const r = all[backend] as Record<string, number>;
    console.log(`\n[${backend}${backend === 'wasm' ? ', 1 thread' : ''}]`);
    console.log(`  eigenspectrum exact (k=10)          ${Number.isNaN(r.exact_k10_s) ? 'n/a (needs a synchronous read)' : `${r.exact_k10_s!.toFixed(3)} s`}`);
    console.log(`  eigenspectrum subspace, cold        ${r.subspace_cold_k10_s!.toFixed(3)} s`);
    console.log(`  eigenspectrum subspace, warm        ${r.subspace_warm_k10_s!.toFixed(3)} s   (exact / warm subspace = ${r.exact_over_subspace_warm!.toFixed(1)}x)`);
    console.log(`  eigenspectrum subspace, warm, device solve ${r.subspace_warm_device_k10_s!.toFixed(3)} s   (device / host solve = ${r.device_over_host_warm!.toFixed(2)}x)`);
    console.log(`  spectralLoss + gradient, warm       ${r.loss_grad_warm_s!.toFixed(3)} s`);
    console.log(`  shallow-MLP training step           ${r.train_step_s!.toFixed(3)} s`);
    console.log(`  loss + gradient / training step     ${(100 * r.loss_grad_over_step!).toFixed(1)} %   (target <= 15 %)`);
    console.log(`  training step with SpectralRegularizer ${r.train_step_regularized_s!.toFixed(3)} s`);
    console.log(`  regularised / plain step            ${r.regularized_over_plain_step!.toFixed(3)}x   (target <= 1.15x)`);
  }
  if (peerPath) {
    const peer = runPeer(peerPath);
    if (peer) {
      all.torch_peer = peer;
      console.log(`\n[PyTorch peer, same machine, same run] ${JSON.stringify(peer)}`);
      for (const backend of backends) {
        const r = all[backend] as Record<string, number>;
        const ratio = (ours: number | undefined, theirs: number | undefined) => (ours && theirs ? `${(ours / theirs).toFixed(2)}x` : 'n/a');
        console.log(`  ${backend}: plain step ${ratio(r.train_step_s, peer.step_s)} the peer's, regularised step ${ratio(r.train_step_regularized_s, peer.step_regularized_s)}, FGSM ${ratio(r.fgsm_1000_s, peer.fgsm_1000_s)}, PGD-40 ${ratio(r.pgd40_1000_s, peer.pgd40_1000_s)}, PGD-40 on all cores ${ratio(r.pgd40_1000_parallel_s, peer.pgd40_1000_s)}`);
      }
      for (const run of threadRuns) {
        const ratio = (ours: number | string | undefined, theirs: number | undefined) => (ours && theirs ? `${(Number(ours) / theirs).toFixed(2)}x` : 'n/a');
        console.log(`  wasm on ${run.threads} thread${run.threads === 1 ? '' : 's'}: regularised step ${ratio(run.train_step_regularized_s, peer.step_regularized_s)} the peer's, PGD-40 in one pgd call ${ratio(run.pgd40_1000_s, peer.pgd40_1000_s)} (target <= 3.2x)`);
      }
    }
  }
  console.log(`\n${JSON.stringify(all)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
