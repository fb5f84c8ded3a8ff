import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystem } from '../../src/node/index';

/** A small model with known weights: kernel [3, 2] and bias [2]. */
function smallModel(offset: number): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], name: 'dense' })] });
  model.setWeights([tf.tensor2d([1, 2, 3, 4, 5, 6].map((v) => v + offset), [3, 2]), tf.tensor1d([7 + offset, 8 + offset])]);
  return model;
}

const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('fileSystem save: atomic, never through a link', () => {
  const root = mkdtempSync(join(tmpdir(), 'fs-save-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('links at model.json and weights.bin pointing outside are replaced, and their targets left alone', async () => {
    const dir = join(root, 'links');
    mkdirSync(dir);
    const outsideModel = join(root, 'outside-model.json');
    const outsideWeights = join(root, 'outside-weights.bin');
    writeFileSync(outsideModel, 'keep me');
    writeFileSync(outsideWeights, 'keep me too');
    symlinkSync(outsideModel, join(dir, 'model.json'));
    symlinkSync(outsideWeights, join(dir, 'weights.bin'));
    await smallModel(0).save(fileSystem(dir));
    expect(readFileSync(outsideModel, 'utf8')).toBe('keep me');
    expect(readFileSync(outsideWeights, 'utf8')).toBe('keep me too');
    expect(lstatSync(join(dir, 'model.json')).isFile()).toBe(true);
    expect(lstatSync(join(dir, 'weights.bin')).isFile()).toBe(true);
    expect(weightsOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(weightsOf(smallModel(0)));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('a failed save removes its temp files and leaves the previous model.json as it was', async () => {
    const dir = join(root, 'failing');
    await smallModel(0).save(fileSystem(dir));
    const before = readFileSync(join(dir, 'model.json'));
    // A non-empty directory where weights.bin goes: writing the temp file works, the rename cannot.
    rmSync(join(dir, 'weights.bin'));
    mkdirSync(join(dir, 'weights.bin', 'inside'), { recursive: true });
    await expect(smallModel(1).save(fileSystem(dir))).rejects.toThrow(/weights\.bin/);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(readFileSync(join(dir, 'model.json'))).toEqual(before);
  });

  it('temp files of killed saves are removed by the next save; a live writer keeps its own', async () => {
    const dir = join(root, 'stale');
    mkdirSync(dir);
    // The pid of a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const stale = [`.weights.bin.tmp-${dead}-0badf00d`, `.model.json.tmp-${dead}-deadbeef`];
    const kept = [`.model.json.tmp-${process.pid}-cafebabe`, `.notes.txt.tmp-${dead}-00000000`, 'notes.txt'];
    for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), 'x');
    await smallModel(0).save(fileSystem(dir));
    expect(readdirSync(dir).sort()).toEqual([...kept, 'model.json', 'weights.bin'].sort());
  });
});
