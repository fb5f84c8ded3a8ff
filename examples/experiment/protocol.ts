/**
 * The protocol a run followed, beside the paper's for the shallow MLP on
 * MNIST (section 3 and the authors' training script), so that a reader of
 * the demo sees at once how far a quick run is from the paper's.
 */
import { markdownTable } from './markdownTable';
import type { ExperimentConfig } from './runExperiment';
import { epsilonUnits, num } from './runLabels';

/** The paper's protocol, written out as the table shows it. */
export const PAPER_SHALLOW_MNIST = {
  trainImages: "60000 (MNIST's training set)",
  testImages: "10000 (MNIST's test set)",
  epochs: '50',
  optimizer: 'Adam, learning rate 1e-4',
  batch: "1500 in the authors' code, 2500 in the paper",
  attacked: '10000 (the whole test set)',
  fgsm: 'epsilon 0-0.2, headline 0.05',
  pgd: '40 steps of 0.01, epsilon 0-0.2, headline 0.05',
};

const list = (values: number[]) => values.map((v) => num(v)).join(', ');

/** Setting, this run, the paper: as a markdown table, followed by the attacks' units. */
export function protocolTable(config: ExperimentConfig, counts: { train: number; test: number; attacked: number }): string {
  const paper = PAPER_SHALLOW_MNIST;
  const rows = [
    ['training images', String(counts.train), paper.trainImages],
    ['test images (test accuracy)', String(counts.test), paper.testImages],
    ['epochs', String(config.epochs), paper.epochs],
    ['optimizer', `Adam, learning rate ${config.learningRate.toExponential()}`, paper.optimizer],
    ['batch size', String(config.batchSize), paper.batch],
    ['attacked images', `${counts.attacked} (the first test images)`, paper.attacked],
    ['FGSM', `epsilon ${list(config.fgsmEpsilons)}`, paper.fgsm],
    ['PGD', `${config.pgdSteps} steps of ${num(config.pgdStepSize)}, epsilon ${list(config.pgdEpsilons)}`, paper.pgd],
  ];
  return `${markdownTable(['setting', 'this run', 'paper (shallow MLP, MNIST)'], rows)}\n\nAttacks: ${epsilonUnits()}.`;
}
