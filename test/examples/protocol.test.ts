import { describe, expect, it } from 'vitest';
import { protocolTable } from '../../examples/experiment/protocol';
import { completeConfig } from '../../examples/experiment/runExperiment';
import { GREEK, runLabel, strengthLabel, targetLabel } from '../../examples/experiment/runLabels';

const cells = (line: string) => line.split('|').slice(1, -1).map((cell) => cell.trim());

describe('protocolTable', () => {
  it("sets the run's protocol beside the paper's, row by row, with the attacks' units", () => {
    const config = completeConfig({
      model: 'shallow-mlp',
      dataset: 'mnist',
      targetAlpha: 3,
      strength: 1,
      epochs: 5,
      batchSize: 500,
      learningRate: 1e-3,
      fgsmEpsilons: [0, 0.05, 0.1],
      pgdEpsilons: [0, 0.05],
    });
    const lines = protocolTable(config, { train: 10000, test: 2000, attacked: 500 }).split('\n');
    expect(cells(lines[0]!)).toEqual(['setting', 'this run', 'paper (shallow MLP, MNIST)']);
    expect(lines.slice(2, 10).map(cells)).toEqual([
      ['training images', '10000', "60000 (MNIST's training set)"],
      ['test images (test accuracy)', '2000', "10000 (MNIST's test set)"],
      ['epochs', '5', '50'],
      ['optimizer', 'Adam, learning rate 1e-3', 'Adam, learning rate 1e-4'],
      ['batch size', '500', "1500 in the authors' code, 2500 in the paper"],
      ['attacked images', '500 (the first test images)', '10000 (the whole test set)'],
      ['FGSM', 'epsilon 0, 0.05, 0.1', 'epsilon 0-0.2, headline 0.05'],
      ['PGD', '40 steps of 0.01, epsilon 0, 0.05', '40 steps of 0.01, epsilon 0-0.2, headline 0.05'],
    ]);
    expect(lines.at(-1)).toBe('Attacks: epsilon is the L-inf radius on the pixel scale [0, 1].');
  });
});

describe('run labels', () => {
  it('a baseline never has a target; numbers are written short', () => {
    expect(runLabel({ strength: 0, targetAlpha: 3 })).toBe('baseline (beta 0)');
    expect(targetLabel({ strength: 0, targetAlpha: 3 }, GREEK)).toBe('baseline');
    expect(runLabel({ strength: 0.1000000002, targetAlpha: 0.6000000001 })).toBe('beta 0.1, target alpha 0.6');
    expect(runLabel({ strength: 1, targetAlpha: 3 }, GREEK)).toBe('β 1, target α 3');
    expect(strengthLabel(0, GREEK)).toBe('baseline (β 0)');
  });
});
