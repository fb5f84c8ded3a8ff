/**
 * Worker side of parallelAttack: rebuilds the model from its saved
 * artifacts, attacks its share of the inputs on its own wasm instance (one
 * core each), and posts the adversarial inputs back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { silenceReachWarnings } from '../attacks/reach';
import { fgsm, pgd, type PgdOptions } from '../index';
import { setupNodeBackend } from './setupNodeBackend';

interface Job {
  backend: 'wasm' | 'cpu' | 'tensorflow';
  artifacts: tf.io.ModelArtifacts;
  attack: 'fgsm' | 'pgd';
  options: PgdOptions;
  x: Float32Array;
  xShape: number[];
  y: Float32Array | Int32Array;
  yShape: number[];
  yDtype: 'float32' | 'int32';
}

async function main(): Promise<void> {
  const job = workerData as Job;
  // One thread each: the workers already divide the cores between them.
  await setupNodeBackend({ backend: job.backend, threads: 1, quiet: true });
  silenceReachWarnings();
  const model = await loadLayersModel(tf.io.fromMemory(job.artifacts));
  const x = tf.tensor(job.x, job.xShape);
  const y = tf.tensor(job.y, job.yShape, job.yDtype);
  const adversarial = job.attack === 'fgsm' ? fgsm(model, x, y, job.options) : pgd(model, x, y, job.options);
  const values = adversarial.dataSync() as Float32Array;
  parentPort?.postMessage(values, [values.buffer as ArrayBuffer]);
}

main().catch((error: unknown) => {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
});
