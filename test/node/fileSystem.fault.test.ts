import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { fileSystem } from '../../src/node/index';
import { rng } from '../helpers/oracles';
import { buildModel, expectedWeights } from './fixtures/twoModels';

const TRIALS = 6;

/** Starts the save loop; resolves once it has saved twice, with the time one save took. */
function startSaveLoop(directory: string): Promise<{ kill: () => Promise<void>; period: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'saveLoop.ts'), directory], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    child.once('exit', (code, signal) => reject(new Error(`save loop exited early (${code ?? signal}): ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', () => {
      times.push(performance.now());
      if (times.length === 2) resolve({ period: (times[1] as number) - (times[0] as number), kill });
    });
  });
}

/** Which of the two models the directory holds, comparing every weight byte for byte; -1 for neither. */
async function whichModel(directory: string): Promise<number> {
  const loaded = (await tfl.loadLayersModel(fileSystem(directory))).getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer));
  for (const which of [0, 1] as const) {
    const expected = expectedWeights(which).map((values) => Buffer.from(values.buffer));
    if (loaded.length === expected.length && loaded.every((bytes, i) => bytes.equals(expected[i] as Buffer))) return which;
  }
  return -1;
}

describe('fileSystem save under SIGKILL (fault injection)', () => {
  it(`a save loop killed at ${TRIALS} random moments always leaves one of the two models, whole`, async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fs-fault-'));
    const random = rng(11);
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        const loop = await startSaveLoop(directory);
        // Kill phases spread over a save, with jitter: trial k lands in the k-th sixth of a period.
        await new Promise((resolve) => setTimeout(resolve, ((trial + random()) / TRIALS) * loop.period));
        await loop.kill();
        expect(await whichModel(directory), `after kill ${trial + 1}`).toBeGreaterThanOrEqual(0);
      }
      // The temp files of the last killed save go with the next save.
      await buildModel(0).save(fileSystem(directory));
      expect(readdirSync(directory).sort()).toEqual(['model.json', 'weights.bin']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
