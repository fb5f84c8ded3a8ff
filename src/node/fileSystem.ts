import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import { assertKnownOptions, assertOptionsObject, describe } from '../internal/validate';
import { removeStaleTemps, replaceFiles, tempFiles } from './atomicFiles';
import { firstMismatch, recordedHashes, sha256Hex } from './weightHashes';
import { readModelJSON, readWeightFiles } from './weightFiles';

/**
 * Options of {@link fileSystem}.
 * @example
 * ```ts
 * await model.save(fileSystem('models/run-1', { modelFileName: 'spectral.json', weightsFileName: 'spectral.bin' }));
 * ```
 */
export interface FileSystemOptions {
  /** File name of the model topology and weights manifest: a plain file name, not '.' or '..'. @default 'model.json' */
  modelFileName?: string;
  /** File name of the concatenated weights: a plain file name, not '.' or '..', other than modelFileName. @default 'weights.bin' */
  weightsFileName?: string;
}

/**
 * A tfjs IO handler that saves a model to a directory and loads it back,
 * in the standard layers-model format (`model.json` + `weights.bin`),
 * without tfjs-node. Node only: import it from `spectral-reg/node`.
 *
 * Saving is atomic: each file is written to a temp file in the directory,
 * flushed, and renamed into place, weights first and model.json last, and
 * model.json records the weights' SHA-256. A crash or kill at any moment
 * leaves the previous model or the new one, whole: killed between the two
 * renames, the directory holds the new weights beside the old model.json,
 * and load then takes the killed save's complete temp model.json, which
 * matches them. A link where a file goes is replaced, never written
 * through. Loading checks model.json before reading any weights: it, and
 * every weight path, must stay inside the directory (also after following links),
 * be a regular file, and have the size the manifest implies; and weights
 * whose SHA-256 differs from the one recorded (say, a weights.bin copied
 * from another save) are an error, not a silently different model.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { fileSystem } from 'spectral-reg/node';
 *
 * await model.save(fileSystem('./trained/shallow-mlp'));
 * const again = await tf.loadLayersModel(fileSystem('./trained/shallow-mlp'));
 * ```
 */
export function fileSystem(directory: string, options?: FileSystemOptions): io.IOHandler {
  const fn = 'fileSystem';
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new TypeError(`${fn}: directory must be a non-empty path string, got ${describe(directory)}`);
  }
  assertOptionsObject(fn, options);
  assertKnownOptions(fn, options, ['modelFileName', 'weightsFileName']);
  const modelFileName = options?.modelFileName ?? 'model.json';
  const weightsFileName = options?.weightsFileName ?? 'weights.bin';
  for (const [name, value] of [
    ['modelFileName', modelFileName],
    ['weightsFileName', weightsFileName],
  ] as const) {
    // '.' and '..' name directories, the one given and its parent.
    if (typeof value !== 'string' || value.length === 0 || /[\\/]/.test(value) || value === '.' || value === '..') {
      throw new TypeError(`${fn}: ${name} must be a plain file name, got ${describe(value)}`);
    }
  }
  if (modelFileName === weightsFileName) {
    throw new RangeError(`${fn}: modelFileName and weightsFileName must differ (model.json would overwrite the weights), got ${describe(modelFileName)} for both`);
  }
  const modelPath = join(directory, modelFileName);

  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const topology = artifacts.modelTopology;
      if (topology === undefined || topology instanceof ArrayBuffer) {
        throw new TypeError(`${fn}: only layers models with a JSON topology can be saved, got ${describe(topology)}`);
      }
      await mkdir(directory, { recursive: true });
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJSON: io.ModelJSON = {
        modelTopology: topology,
        // sha256 is this package's field; tfjs's loaders ignore it.
        weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs ?? [], sha256: [sha256Hex(weights)] } as io.WeightsManifestConfig[number]],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        ...(artifacts.modelInitializer ? { modelInitializer: artifacts.modelInitializer } : {}),
        ...(artifacts.initializerSignature ? { initializerSignature: artifacts.initializerSignature } : {}),
        ...(artifacts.signature ? { signature: artifacts.signature } : {}),
      };
      // Temp files of saves that were killed; a live writer's are left alone.
      await removeStaleTemps(directory, [weightsFileName, modelFileName]);
      await replaceFiles(directory, [
        [weightsFileName, new Uint8Array(weights)],
        [modelFileName, JSON.stringify(modelJSON)],
      ]);
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<io.ModelArtifacts> {
      let modelJSON = await readModelJSON(directory, modelPath);
      let [specs, buffers] = await readWeightFiles(directory, modelPath, modelJSON.weightsManifest);
      const actual = buffers.map(sha256Hex);
      const mismatch = firstMismatch(recordedHashes(modelPath, modelJSON.weightsManifest), actual);
      if (mismatch >= 0) {
        // A save killed between its renames left its new weights and, as a temp file, the model.json that matches them.
        const committed = await matchingTemp(directory, modelFileName, actual);
        if (committed === null) {
          throw new Error(
            `${fn}: the weights in ${directory} are not the ones ${modelPath} was saved with (SHA-256 differs for file ${mismatch + 1} of its manifest): ` +
              'they come from another save, for example a weights file copied from elsewhere; save the model again',
          );
        }
        modelJSON = committed;
        [specs, buffers] = await readWeightFiles(directory, modelPath, modelJSON.weightsManifest);
        // Read again by the temp file's own manifest: it must name the same, unchanged files.
        if (firstMismatch(recordedHashes(modelPath, modelJSON.weightsManifest), buffers.map(sha256Hex)) >= 0) throw new Error(`${fn}: ${directory} changed while it was being loaded`);
      }
      return io.getModelArtifactsForJSON(modelJSON, async () => [specs, io.CompositeArrayBuffer.join(buffers)]);
    },
  };
}

/**
 * The temp model.json of a save caught between its two renames (killed, or
 * still running) that records exactly the `actual` hashes of the weight
 * files, or null. Such a file is complete: a save writes and flushes every
 * temp file before its first rename.
 */
async function matchingTemp(directory: string, modelFileName: string, actual: string[]): Promise<io.ModelJSON | null> {
  for (const temp of await tempFiles(directory, modelFileName)) {
    try {
      const candidate = await readModelJSON(directory, temp);
      const recorded = recordedHashes(temp, candidate.weightsManifest);
      if (recorded.length === actual.length && recorded.every((h) => h !== null) && firstMismatch(recorded, actual) < 0) return candidate;
    } catch {
      // A temp file that does not parse, or lists other files, is not the one.
    }
  }
  return null;
}
