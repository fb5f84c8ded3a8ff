/**
 * The paper's deep MLP (3 x Dense 1000 tanh) on MNIST; Fig. 3a-c. Layers: examples/experiment/models.ts; protocol
 * and defaults (Adam 1e-4, the paper's batch and epochs): runExperiment.ts.
 * Headline attack strength: epsilon 0.05.
 *
 *   npx tsx examples/paper/deep-mlp-mnist.ts [targetAlpha] [beta] [epochs]
 */
import { runPaperSetup } from '../experiment/runExperiment';

await runPaperSetup('deep-mlp', 'mnist', 0.05);
