/**
 * One run of the paper's protocol, written to one JSON file (schema: docs/experiments.md).
 *
 *   npm run experiment -- --model shallow-mlp --dataset mnist --alpha 3 --beta 1 \
 *     [--mode slope|fixed-slope|nassar] [--range 0,10] [--epochs N] [--batch-size N] \
 *     [--train-limit N] [--test-limit N] [--attack-limit N] [--seed N] [--out DIR] [--threads N] [--quiet]
 */
import { setupNodeBackend } from '../src/node/index';
import { backendOptions, configFromFlags, number, parseFlags, progress, writeResult } from './experiment/cli';
import { runExperiment } from './experiment/runExperiment';
import { runFileName } from './experiment/runFiles';
import { imageCounts, runLabel } from './experiment/runLabels';

async function main(): Promise<void> {
  const flags = parseFlags('npm run experiment -- [options]', process.argv.slice(2));
  const config = configFromFlags(flags, number('alpha', flags.alpha as string) as number, number('beta', flags.beta as string) as number);
  const quiet = flags.quiet === true;
  await setupNodeBackend(backendOptions(flags));
  const bar = progress(config.epochs, runFileName(config), quiet);
  const result = await runExperiment(config, {
    onEpoch: (r) => bar.update(r.epoch + 1, `alpha ${r.alpha.toFixed(2)}, test accuracy ${r.valAccuracy.toFixed(3)}`),
  });
  bar.stop();
  const path = writeResult(flags.out as string, runFileName(config), result);
  const last = result.epochs.at(-1);
  const at = (curve: Array<{ epsilon: number; accuracy: number }>, e: number) => curve.find((p) => p.epsilon === e)?.accuracy.toFixed(3) ?? 'n/a';
  const counts = imageCounts(result);
  console.log(
    `${path}: ${runLabel(config)}: measured alpha ${result.finalAlpha.alpha.toFixed(2)}, ` +
      `test accuracy ${last?.valAccuracy.toFixed(3)} (${counts.test ?? 'all'} images); on the ${counts.attacked} attacked images ` +
      `clean ${at(result.robustness.fgsm, 0)}, FGSM 0.05 ${at(result.robustness.fgsm, 0.05)}, PGD 0.05 ${at(result.robustness.pgd, 0.05)}; ${result.seconds.toFixed(0)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
