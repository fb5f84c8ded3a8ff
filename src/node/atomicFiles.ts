import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from './processAlive';

/**
 * Atomic replacement of files in a directory: each new file is written in
 * full to a temp file beside its target, flushed, and renamed over it. A
 * reader, or a process killed mid-save, sees the old file or the new one,
 * never a part. rename replaces a link at the target rather than writing
 * through it.
 */

/** `.<name>.tmp-<pid>-<8 hex>`: hidden, unique per call, and the pid says whether its writer lives. */
const TEMP = /^\.(.+)\.tmp-(\d+)-[0-9a-f]{8}$/;

function tempName(name: string): string {
  return `.${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes and flushes a new temp file for `name`; 'wx' creates it exclusively, so never through a planted link. */
async function writeTemp(directory: string, name: string, data: Uint8Array | string): Promise<string> {
  const temp = join(directory, tempName(name));
  const handle = await open(temp, 'wx');
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return temp;
}

/**
 * Replaces `files` (name, content) in `directory`, in the given order. All
 * temp files are written before the first rename, so the renames follow
 * each other at once. Temp files are removed when anything fails.
 */
export async function replaceFiles(directory: string, files: Array<[string, Uint8Array | string]>): Promise<void> {
  const temps: string[] = [];
  try {
    for (const [name, data] of files) temps.push(await writeTemp(directory, name, data));
    for (const [i, [name]] of files.entries()) await rename(temps[i] as string, join(directory, name));
  } finally {
    // After a rename the temp name is gone and this does nothing.
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
  }
}

/** Every temp file for `name` in `directory`, whether its writer still runs or was killed. */
export async function tempFiles(directory: string, name: string): Promise<string[]> {
  return (await readdir(directory)).filter((entry) => TEMP.exec(entry)?.[1] === name).map((entry) => join(directory, entry));
}

/** Removes temp files for `names` left by writers that were killed (their pid no longer runs). */
export async function removeStaleTemps(directory: string, names: readonly string[]): Promise<void> {
  for (const entry of await readdir(directory)) {
    const match = TEMP.exec(entry);
    if (match && names.includes(match[1] as string) && !processAlive(Number(match[2]))) {
      await rm(join(directory, entry), { force: true });
    }
  }
}
