/**
 * Whether a process with this id runs on this machine. Signal 0 checks
 * without signalling; EPERM means it exists but belongs to another user.
 * Used to tell a killed writer's leftover temp files from a live writer's.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
