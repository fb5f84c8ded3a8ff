import { getBackend } from '@tensorflow/tfjs-core';

/**
 * Backends whose synchronous read (dataSync, arraySync) cannot be trusted.
 * tfjs-backend-webgpu reads synchronously by copying the buffer through an
 * OffscreenCanvas; under SwiftShader that returned zeros and then lost the
 * device ("A valid external Instance reference no longer exists"), and on
 * real GPUs it stalls the queue. Asynchronous reads (data()) work everywhere.
 */
const UNRELIABLE_SYNC_READ = new Set(['webgpu']);

/** Whether the active backend's synchronous read is safe and cheap enough to use. */
export function syncReadsAreReliable(): boolean {
  return !UNRELIABLE_SYNC_READ.has(getBackend());
}
