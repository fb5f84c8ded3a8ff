import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes `path` whole or not at all: the data goes to a new temp file beside
 * it ('wx' creates it exclusively, so never through a planted link), then a
 * rename puts it in place. The rename replaces a link at `path` instead of
 * writing through it. The temp file is removed on failure.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = `${path}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(temp, data, { flag: 'wx' });
    renameSync(temp, path);
  } finally {
    // After the rename there is nothing to remove.
    rmSync(temp, { force: true });
  }
}
