import { assertKnownOptions, assertOptionsObject, describe } from '../internal/validate';
import type { DatasetLimits } from './types';

/**
 * trainLimit and testLimit with their defaults applied (Infinity: all
 * images), checked; `otherKeys` are the loader's other options, so that an
 * unknown key is an error.
 */
export function resolveLimits(fn: string, options: DatasetLimits | undefined, otherKeys: readonly string[] = []): { trainLimit: number; testLimit: number } {
  assertOptionsObject(fn, options);
  assertKnownOptions(fn, options, ['trainLimit', 'testLimit', ...otherKeys]);
  return {
    trainLimit: checkLimit(fn, 'trainLimit', options?.trainLimit ?? Infinity),
    testLimit: checkLimit(fn, 'testLimit', options?.testLimit ?? Infinity),
  };
}

function checkLimit(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || !(Number.isInteger(value) || value === Infinity)) {
    throw new (typeof value === 'number' ? RangeError : TypeError)(`${fn}: ${name} must be a whole number >= 0 or Infinity, got ${describe(value)}`);
  }
  return value;
}
