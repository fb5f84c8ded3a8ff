/**
 * The paper's CNN on MNIST; Fig. 3d-f. Layers: examples/experiment/models.ts; protocol
 * and defaults (Adam 1e-4, the paper's batch and epochs): runExperiment.ts.
 * Headline attack strength: epsilon 0.1.
 *
 *   npx tsx examples/paper/cnn-mnist.ts [targetAlpha] [beta] [epochs]
 */
import { runPaperSetup } from '../experiment/runExperiment';

await runPaperSetup('cnn', 'mnist', 0.1);
