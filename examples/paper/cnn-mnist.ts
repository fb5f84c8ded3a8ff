/**
 * The paper's cnn on mnist, with its settings (reference notes, section 3):
 * see examples/experiment/models.ts for the layers and runExperiment.ts for
 * the protocol. Headline attack strength: epsilon 0.1.
 *
 *   npx tsx examples/paper/cnn-mnist.ts [targetAlpha] [beta] [epochs]
 */
import { setupNodeBackend } from '../../src/node/index';
import { completeConfig, runExperiment } from '../experiment/runExperiment';

const [targetAlpha = 3, strength = 1, epochs] = process.argv.slice(2).map(Number);
await setupNodeBackend();
const config = completeConfig({
  model: 'cnn',
  dataset: 'mnist',
  targetAlpha,
  strength,
  ...(epochs ? { epochs } : {}),
  fgsmEpsilons: [0, 0.1],
  pgdEpsilons: [0, 0.1],
});
const result = await runExperiment(config, { onEpoch: (r) => console.log(`epoch ${r.epoch + 1}: alpha ${r.alpha.toFixed(2)}, val acc ${r.valAccuracy.toFixed(3)}`) });
console.log({ measuredAlpha: result.finalAlpha.alpha, robustness: result.robustness });
