import { constants, type Stats } from 'node:fs';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import { describe } from '../internal/validate';

/**
 * Loading side of fileSystem: model.json is untrusted input. It, and every
 * weight path, must stay inside the model directory (also after following links)
 * and be a regular file, and the files' sizes must be the ones the manifest
 * implies; all of this is checked with stat before a byte is read, so a
 * crafted manifest can neither read other files nor stream /dev/zero.
 */
const fn = 'fileSystem';

/** Bytes per value; string weights are left out, their size is known only by reading them. */
const DTYPE_BYTES = new Map([['float32', 4], ['int32', 4], ['bool', 1], ['complex64', 8]]);
const QUANTIZED_BYTES = new Map([['uint8', 1], ['uint16', 2], ['float16', 2]]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

function kind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Whether `target` is `root` or below it. */
function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Reads and parses model.json, checking it is a regular file inside
 * `directory` (also after following links) holding an object with
 * modelTopology and weightsManifest.
 */
export async function readModelJSON(directory: string, modelPath: string): Promise<io.ModelJSON> {
  let text: string;
  try {
    const [root, real] = await Promise.all([realpath(directory), realpath(modelPath)]);
    if (!inside(root, real)) throw new RangeError(`${fn}: ${modelPath} leads through a symbolic link to ${real}, outside ${directory}`);
    const stats = await stat(real);
    if (!stats.isFile()) throw new TypeError(`${fn}: ${modelPath} is ${kind(stats)}, not a model.json file`);
    text = await readFile(real, 'utf8');
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw error;
    throw new Error(`${fn}: cannot read a model from ${modelPath}: ${reason(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${fn}: ${modelPath} is not JSON (${reason(error)})`);
  }
  if (!isObject(parsed)) throw new TypeError(`${fn}: ${modelPath} must hold a JSON object with modelTopology and weightsManifest, got ${describe(parsed)}`);
  if (!isObject(parsed.modelTopology)) throw new TypeError(`${fn}: modelTopology in ${modelPath} must be an object, got ${describe(parsed.modelTopology)}`);
  if (!Array.isArray(parsed.weightsManifest)) throw new TypeError(`${fn}: weightsManifest in ${modelPath} must be an array, got ${describe(parsed.weightsManifest)}`);
  return parsed as unknown as io.ModelJSON;
}

/** Byte size of one weight, from its shape and dtype (or its quantization dtype). */
function weightBytes(where: string, spec: unknown): number {
  if (!isObject(spec) || typeof spec.name !== 'string') throw new TypeError(`${fn}: ${where} must be a weight spec with a name, shape and dtype, got ${describe(spec)}`);
  const { shape, dtype, quantization } = spec;
  if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new TypeError(`${fn}: ${where} (${spec.name}) must have a shape of non-negative integers, got ${describe(shape)}`);
  }
  let bytes: number | undefined;
  if (quantization !== undefined) {
    bytes = isObject(quantization) && typeof quantization.dtype === 'string' ? QUANTIZED_BYTES.get(quantization.dtype) : undefined;
    if (bytes === undefined) throw new TypeError(`${fn}: ${where} (${spec.name}) must have a quantization dtype of 'uint8', 'uint16' or 'float16', got ${describe(isObject(quantization) ? quantization.dtype : quantization)}`);
  } else {
    bytes = typeof dtype === 'string' ? DTYPE_BYTES.get(dtype) : undefined;
    if (bytes === undefined) throw new TypeError(`${fn}: ${where} (${spec.name}) must have dtype 'float32', 'int32', 'bool' or 'complex64', got ${describe(dtype)}`);
  }
  return (shape as number[]).reduce((a, b) => a * b, bytes);
}

interface WeightFile {
  /** The path as written in the manifest, resolved against the directory. */
  shown: string;
  real: string;
  size: number;
  ino: number;
}

/** Resolves one manifest path, checks containment (before and after links) and that it is a regular file. */
async function checkWeightFile(where: string, directory: string, root: string, path: unknown): Promise<WeightFile> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`${fn}: ${where} must be a file path string, got ${describe(path)}`);
  const shown = resolve(directory, path);
  const named = `weight path ${JSON.stringify(path)} (${where})`;
  if (!inside(resolve(directory), shown)) throw new RangeError(`${fn}: ${named} points outside ${directory}`);
  let real: string;
  let stats: Stats;
  try {
    real = await realpath(shown);
    stats = await stat(real);
  } catch (error) {
    throw new Error(`${fn}: cannot read weight file ${shown}: ${reason(error)}`);
  }
  if (!inside(root, real)) throw new RangeError(`${fn}: ${named} leads through a symbolic link to ${real}, outside ${directory}`);
  if (!stats.isFile()) throw new TypeError(`${fn}: ${named} is ${kind(stats)}, not a regular file`);
  return { shown, real, size: stats.size, ino: stats.ino };
}

/** Reads exactly the checked size from the checked file; a file swapped or resized since is an error. */
async function readChecked(file: WeightFile): Promise<ArrayBuffer> {
  // O_NONBLOCK: should a named pipe have been swapped in, open must not wait for a writer.
  const handle = await open(file.real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    const bytes = new Uint8Array(file.size);
    let offset = 0;
    while (stats.isFile() && stats.ino === file.ino && offset < file.size) {
      const { bytesRead } = await handle.read(bytes, offset, file.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    if (!stats.isFile() || stats.ino !== file.ino || stats.size !== file.size || offset !== file.size) {
      throw new Error(`${fn}: ${file.shown} changed while it was being loaded`);
    }
    return bytes.buffer;
  } finally {
    await handle.close();
  }
}

/**
 * The weight specs and file contents of a manifest, group by group, after
 * checking every path and size; `modelPath` names the manifest in errors.
 */
export async function readWeightFiles(directory: string, modelPath: string, manifest: unknown[]): Promise<[io.WeightsManifestEntry[], ArrayBuffer[]]> {
  const root = await realpath(directory);
  const specs: io.WeightsManifestEntry[] = [];
  const files: WeightFile[] = [];
  for (const [g, group] of manifest.entries()) {
    const where = `weightsManifest[${g}] in ${modelPath}`;
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new TypeError(`${fn}: ${where} must be an object with paths and weights arrays, got ${describe(group)}`);
    }
    let expected = 0;
    for (const [w, spec] of group.weights.entries()) {
      expected += weightBytes(`weightsManifest[${g}].weights[${w}] in ${modelPath}`, spec);
      specs.push(spec as io.WeightsManifestEntry);
    }
    const groupFiles: WeightFile[] = [];
    for (const [p, path] of group.paths.entries()) groupFiles.push(await checkWeightFile(`weightsManifest[${g}].paths[${p}] in ${modelPath}`, directory, root, path));
    const found = groupFiles.reduce((n, f) => n + f.size, 0);
    if (found !== expected) {
      const names = groupFiles.map((f) => f.shown).join(', ');
      const verb = groupFiles.length === 1 ? 'is' : 'are';
      throw new RangeError(`${fn}: ${names || 'no file'} ${verb} too ${found < expected ? 'short' : 'long'}: ${where} implies ${expected} bytes, found ${found}`);
    }
    for (const file of groupFiles) files.push(file);
  }
  // Every path and size is checked before the first read.
  const buffers: ArrayBuffer[] = [];
  for (const file of files) buffers.push(await readChecked(file));
  return [specs, buffers];
}
