import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import { assertKnownOptions, assertOptionsObject, describe } from '../internal/validate';
import { removeStaleTemps, replaceFiles } from './atomicFiles';
import { readModelJSON, readWeightFiles } from './weightFiles';

/**
 * Options of {@link fileSystem}.
 * @example
 * ```ts
 * await model.save(fileSystem('models/run-1', { modelFileName: 'spectral.json', weightsFileName: 'spectral.bin' }));
 * ```
 */
export interface FileSystemOptions {
  /** File name of the model topology and weights manifest. @default 'model.json' */
  modelFileName?: string;
  /** File name of the concatenated weights. @default 'weights.bin' */
  weightsFileName?: string;
}

/**
 * A tfjs IO handler that saves a model to a directory and loads it back,
 * in the standard layers-model format (`model.json` + `weights.bin`),
 * without tfjs-node. Node only: import it from `spectral-reg/node`.
 *
 * Saving is atomic per file: each file is written to a temp file in the
 * directory, flushed, and renamed into place, weights first and model.json
 * last, so a crash or kill mid-save leaves the previous model loadable. A
 * link where a file goes is replaced, never written through. Loading checks
 * model.json before reading any weights: every weight path must stay inside
 * the directory (also after following links), be a regular file, and have
 * the size the manifest implies.
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
    if (typeof value !== 'string' || value.length === 0 || /[\\/]/.test(value)) {
      throw new TypeError(`${fn}: ${name} must be a plain file name, got ${describe(value)}`);
    }
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
        weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs ?? [] }],
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
      const modelJSON = await readModelJSON(modelPath);
      return io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const [specs, buffers] = await readWeightFiles(directory, modelPath, manifest);
        return [specs, io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
