/**
 * The paper's CNN on CIFAR-10 (binary batches from $CIFAR10_DIR, else downloaded once into the cache); Fig. 3g-i. Layers: examples/experiment/models.ts; protocol
 * and defaults (Adam 1e-4, the paper's batch and epochs): runExperiment.ts.
 * Headline attack strength: epsilon 0.01.
 *
 *   npx tsx examples/paper/cnn-cifar10.ts [targetAlpha] [beta] [epochs]
 */
import { runPaperSetup } from '../experiment/runExperiment';

await runPaperSetup('cnn', 'cifar10', 0.01);
