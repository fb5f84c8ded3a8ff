import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystem } from '../../src/node/index';
import { pinRejections } from '../helpers/oracles';

/** A small model with known weights: kernel [3, 2] and bias [2]. */
function smallModel(offset: number): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], name: 'dense' })] });
  model.setWeights([tf.tensor2d([1, 2, 3, 4, 5, 6].map((v) => v + offset), [3, 2]), tf.tensor1d([7 + offset, 8 + offset])]);
  return model;
}

const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('fileSystem save: atomic, never through a link', () => {
  const root = join(tmpdir(), `fs-save-${randomBytes(6).toString('hex')}`);
  beforeAll(() => mkdirSync(root));
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

describe('fileSystem load: model.json is checked before any weight is read', () => {
  // Everything is made in beforeAll, so that a run filtering these tests out leaves nothing behind.
  const root = join(realpathSync(tmpdir()), `fs-load-${randomBytes(6).toString('hex')}`);
  const setup: Array<() => void> = [];
  beforeAll(() => {
    mkdirSync(root);
    for (const step of setup) step();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const outside = join(root, 'outside.bin');
  setup.push(() => writeFileSync(outside, new Uint8Array(16)));
  const kernel = { name: 'w', shape: [2, 2], dtype: 'float32' };

  interface ModelDirOptions {
    paths?: unknown[];
    weights?: unknown[];
    json?: string;
    files?: Record<string, Uint8Array>;
  }
  /** Writes a hand-made model.json (one float32 [2, 2] weight, 16 bytes, unless told) and `files` into a new `dir`. */
  function writeModelDir(dir: string, options: ModelDirOptions = {}): void {
    mkdirSync(dir);
    const weightsManifest = [{ paths: options.paths ?? ['weights.bin'], weights: options.weights ?? [kernel] }];
    writeFileSync(join(dir, 'model.json'), options.json ?? JSON.stringify({ modelTopology: { class_name: 'Sequential' }, weightsManifest }));
    for (const [file, bytes] of Object.entries(options.files ?? { 'weights.bin': new Uint8Array(16) })) writeFileSync(join(dir, file), bytes);
  }
  /** The path of a model directory that beforeAll writes, then hands to `finish`. */
  function modelDir(name: string, options: ModelDirOptions = {}, finish?: (dir: string) => void): string {
    const dir = join(root, name);
    setup.push(() => {
      writeModelDir(dir, options);
      finish?.(dir);
    });
    return dir;
  }
  const load = (dir: string) => () => fileSystem(dir).load!();
  const json = (dir: string) => join(dir, 'model.json');

  const up = modelDir('up', { paths: ['../outside.bin'] });
  const absolute = modelDir('absolute', { paths: [outside] });
  const linked = modelDir('linked', { paths: ['link.bin'], files: {} }, (dir) => symlinkSync(outside, join(dir, 'link.bin')));
  const zero = modelDir('zero', { paths: ['/dev/zero'] });
  const zeroLink = modelDir('zero-link', { paths: ['zero.bin'], files: {} }, (dir) => symlinkSync('/dev/zero', join(dir, 'zero.bin')));
  const directory = modelDir('directory', { files: {} }, (dir) => mkdirSync(join(dir, 'weights.bin')));
  const fifo = modelDir('fifo', { files: {} }, (dir) => execFileSync('mkfifo', [join(dir, 'weights.bin')]));
  const short = modelDir('short', { files: { 'weights.bin': new Uint8Array(12) } });
  const long = modelDir('long', { files: { 'weights.bin': new Uint8Array(20) } });
  const quantized = modelDir('quantized', { weights: [{ ...kernel, quantization: { dtype: 'uint8', min: 0, scale: 1 } }] });
  const shards = modelDir('shards', { paths: ['a.bin', 'b.bin'], files: { 'a.bin': new Uint8Array(8), 'b.bin': new Uint8Array(4) } });
  const notJson = modelDir('not-json', { json: '{"modelTopology": ' });
  const jsonError = (() => {
    try {
      JSON.parse('{"modelTopology": ');
    } catch (error) {
      return (error as Error).message;
    }
  })();
  const array = modelDir('array', { json: '[1]' });
  const noTopology = modelDir('no-topology', { json: '{"weightsManifest": []}' });
  const noManifest = modelDir('no-manifest', { json: '{"modelTopology": {}}' });
  const stringWeight = modelDir('string-weight', { weights: [{ name: 'words', shape: [2], dtype: 'string' }] });
  const badShape = modelDir('bad-shape', { weights: [{ name: 'w', shape: [-1, 2], dtype: 'float32' }] });
  const pathNumber = modelDir('path-number', { paths: [5] });
  // A complete, valid model.json, but outside the directory given: never read.
  const modelLinkTarget = join(root, 'model-link-target.json');
  const modelLink = modelDir('model-link', {}, (dir) => {
    renameSync(join(dir, 'model.json'), modelLinkTarget);
    symlinkSync(modelLinkTarget, join(dir, 'model.json'));
  });
  const modelIsDirectory = join(root, 'model-is-directory');
  setup.push(() => mkdirSync(join(modelIsDirectory, 'model.json'), { recursive: true }));

  const where = (dir: string, i = 0) => `weightsManifest[0].paths[${i}] in ${json(dir)}`;
  const cases: Array<[string, () => Promise<unknown>, ErrorConstructor, string]> = [
    ['a ../ path', load(up), RangeError, `fileSystem: weight path "../outside.bin" (${where(up)}) points outside ${up}`],
    ['an absolute path', load(absolute), RangeError, `fileSystem: weight path "${outside}" (${where(absolute)}) points outside ${absolute}`],
    ['a link pointing out of the directory', load(linked), RangeError, `fileSystem: weight path "link.bin" (${where(linked)}) leads through a symbolic link to ${outside}, outside ${linked}`],
    ['/dev/zero', load(zero), RangeError, `fileSystem: weight path "/dev/zero" (${where(zero)}) points outside ${zero}`],
    ['a link to /dev/zero', load(zeroLink), RangeError, `fileSystem: weight path "zero.bin" (${where(zeroLink)}) leads through a symbolic link to /dev/zero, outside ${zeroLink}`],
    ['a directory instead of a file', load(directory), TypeError, `fileSystem: weight path "weights.bin" (${where(directory)}) is a directory, not a regular file`],
    ['a named pipe instead of a file', load(fifo), TypeError, `fileSystem: weight path "weights.bin" (${where(fifo)}) is a named pipe, not a regular file`],
    ['a file too short', load(short), RangeError, `fileSystem: ${join(short, 'weights.bin')} is too short: weightsManifest[0] in ${json(short)} implies 16 bytes, found 12`],
    ['a file too long', load(long), RangeError, `fileSystem: ${join(long, 'weights.bin')} is too long: weightsManifest[0] in ${json(long)} implies 16 bytes, found 20`],
    ['quantized weights take their quantization dtype size', load(quantized), RangeError, `fileSystem: ${join(quantized, 'weights.bin')} is too long: weightsManifest[0] in ${json(quantized)} implies 4 bytes, found 16`],
    ['shards together too short', load(shards), RangeError, `fileSystem: ${join(shards, 'a.bin')}, ${join(shards, 'b.bin')} are too short: weightsManifest[0] in ${json(shards)} implies 16 bytes, found 12`],
    ['model.json not JSON', load(notJson), TypeError, `fileSystem: ${json(notJson)} is not JSON (${jsonError})`],
    ['model.json an array', load(array), TypeError, `fileSystem: ${json(array)} must hold a JSON object with modelTopology and weightsManifest, got [1]`],
    ['no modelTopology', load(noTopology), TypeError, `fileSystem: modelTopology in ${json(noTopology)} must be an object, got undefined`],
    ['no weightsManifest', load(noManifest), TypeError, `fileSystem: weightsManifest in ${json(noManifest)} must be an array, got undefined`],
    ['a string weight', load(stringWeight), TypeError, `fileSystem: weightsManifest[0].weights[0] in ${json(stringWeight)} (words) must have dtype 'float32', 'int32', 'bool' or 'complex64', got "string"`],
    ['a negative dimension', load(badShape), TypeError, `fileSystem: weightsManifest[0].weights[0] in ${json(badShape)} (w) must have a shape of non-negative integers, got [-1, 2]`],
    ['a path that is not a string', load(pathNumber), TypeError, `fileSystem: ${where(pathNumber)} must be a file path string, got 5`],
    ['model.json a link pointing out of the directory', load(modelLink), RangeError, `fileSystem: ${json(modelLink)} leads through a symbolic link to ${modelLinkTarget}, outside ${modelLink}`],
    ['model.json a directory', load(modelIsDirectory), TypeError, `fileSystem: ${json(modelIsDirectory)} is a directory, not a model.json file`],
  ];
  // Short timeouts: before these checks, the pipe and /dev/zero cases read forever.
  pinRejections(cases, (name, body) => it(name, body, 10_000));

  it('paths into subdirectories and links that stay inside load, also through a linked directory', async () => {
    const dir = join(root, 'inside');
    writeModelDir(dir, { paths: ['sub/w.bin', 'alias.bin'], files: {} });
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'w.bin'), new Float32Array([1, 2]));
    writeFileSync(join(dir, 'real.bin'), new Float32Array([3, 4]));
    symlinkSync('real.bin', join(dir, 'alias.bin'));
    symlinkSync(dir, join(root, 'inside-link'));
    for (const path of [dir, join(root, 'inside-link')]) {
      const artifacts = await fileSystem(path).load!();
      expect(Array.from(new Float32Array(artifacts.weightData as ArrayBuffer))).toEqual([1, 2, 3, 4]);
      expect(artifacts.weightSpecs).toEqual([kernel]);
    }
  });

  it('a saved model loads back with the same weights', async () => {
    const dir = join(root, 'saved');
    await smallModel(5).save(fileSystem(dir));
    expect(weightsOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(weightsOf(smallModel(5)));
  });
});

describe('fileSystem: model.json records the SHA-256 of its weights', () => {
  const root = join(tmpdir(), `fs-hash-${randomBytes(6).toString('hex')}`);
  beforeAll(() => mkdirSync(root));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest;
  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it('save records it beside the path, and tfjs loads the model as usual', async () => {
    const dir = join(root, 'recorded');
    await smallModel(0).save(fileSystem(dir));
    expect(manifestOf(dir)[0].paths).toEqual(['weights.bin']);
    expect(manifestOf(dir)[0].sha256).toEqual([sha256(join(dir, 'weights.bin'))]);
    expect(weightsOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(weightsOf(smallModel(0)));
  });

  it('weights of another save of the same architecture are an error, not a silently different model', async () => {
    const [a, b] = [join(root, 'a'), join(root, 'b')];
    await smallModel(0).save(fileSystem(a));
    await smallModel(1).save(fileSystem(b));
    copyFileSync(join(b, 'weights.bin'), join(a, 'weights.bin'));
    await expect(tfl.loadLayersModel(fileSystem(a))).rejects.toThrow(
      new Error(
        `fileSystem: the weights in ${a} are not the ones ${join(a, 'model.json')} was saved with (SHA-256 differs for file 1 of its manifest): they come from another save, for example a weights file copied from elsewhere; save the model again`,
      ),
    );
  });

  it('killed between its two renames, a save leaves new weights, old model.json and its temp model.json: load takes the new model', async () => {
    const [dir, next] = [join(root, 'window'), join(root, 'next')];
    await smallModel(0).save(fileSystem(dir));
    await smallModel(1).save(fileSystem(next));
    // The state the kill leaves: weights.bin renamed into place, model.json still the old one, the new one a temp file.
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    copyFileSync(join(next, 'weights.bin'), join(dir, 'weights.bin'));
    copyFileSync(join(next, 'model.json'), join(dir, `.model.json.tmp-${dead}-0a1b2c3d`));
    // A temp model.json of some other save is passed over.
    copyFileSync(join(root, 'recorded', 'model.json'), join(dir, `.model.json.tmp-${dead}-00000000`));
    expect(weightsOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(weightsOf(smallModel(1)));
    // The next save tidies up and records its own weights.
    await smallModel(2).save(fileSystem(dir));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(weightsOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(weightsOf(smallModel(2)));
  });

  it('a model.json without hashes (tfjs-node, a browser) loads unchecked; malformed hashes are named', async () => {
    const dir = join(root, 'plain');
    await smallModel(0).save(fileSystem(dir));
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    delete model.weightsManifest[0].sha256;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
    expect(weightsOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(weightsOf(smallModel(0)));
    model.weightsManifest[0].sha256 = ['abc'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
    await expect(fileSystem(dir).load!()).rejects.toThrow(
      new TypeError(`fileSystem: weightsManifest[0].sha256 in ${join(dir, 'model.json')} must list one SHA-256 (64 hex digits) per path, got ["abc"]`),
    );
  });
});
