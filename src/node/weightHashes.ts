import { createHash } from 'node:crypto';
import { describe } from '../internal/validate';

/**
 * fileSystem records each weight file's SHA-256 in model.json, beside its
 * path (`weightsManifest[g].sha256[p]`, a field tfjs's loaders ignore), so
 * that a load can tell weights that belong to model.json from weights of
 * another save of the same architecture: sizes alone cannot.
 */
const fn = 'fileSystem';

export function sha256Hex(data: ArrayBuffer | Uint8Array): string {
  return createHash('sha256').update(data instanceof Uint8Array ? data : new Uint8Array(data)).digest('hex');
}

/**
 * The recorded hash of every weight file, in manifest order (as
 * readWeightFiles returns the files); null for a group saved without them
 * (by tfjs-node, a browser, or an older spectral-reg).
 */
export function recordedHashes(modelPath: string, manifest: unknown[]): Array<string | null> {
  return manifest.flatMap((group, g) => {
    const { paths, sha256 } = group as { paths: unknown[]; sha256?: unknown };
    if (sha256 === undefined) return paths.map(() => null);
    if (!Array.isArray(sha256) || sha256.length !== paths.length || !sha256.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
      throw new TypeError(`${fn}: weightsManifest[${g}].sha256 in ${modelPath} must list one SHA-256 (64 hex digits) per path, got ${describe(sha256)}`);
    }
    return sha256 as string[];
  });
}

/** Index of the first weight file whose actual hash is not the recorded one, or -1; files without a record pass. */
export function firstMismatch(recorded: Array<string | null>, actual: string[]): number {
  return recorded.findIndex((hash, i) => hash !== null && actual[i] !== hash);
}
