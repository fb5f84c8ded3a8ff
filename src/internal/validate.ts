import { Tensor } from '@tensorflow/tfjs-core';

/**
 * Argument checks shared by every public function. Each message names the
 * function, the argument and the offending value, so a user can find the bad
 * call without a stack trace. Tests pin these messages word for word.
 */

/** Renders a value for an error message: numbers as written, tensors by shape. */
export function describe(value: unknown): string {
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.length <= 4 ? `[${value.map(describe).join(', ')}]` : `an array of length ${value.length}`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === 'object' ? `an object` : String(value);
}

export function assertTensor(fn: string, name: string, value: unknown): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new TypeError(`${fn}: ${name} must be a tf.Tensor, got ${describe(value)}`);
  }
  // A disposed tensor still has its shape, so without this the failure comes later and says less.
  if (value.isDisposed) {
    throw new TypeError(`${fn}: ${name} is a disposed tensor (shape [${value.shape.join(', ')}]); it was freed by dispose() or tidy() before this call`);
  }
}

/**
 * Checks an activation tensor of shape [batch, ...features] and returns its
 * batch size and flattened feature count.
 */
export function checkActivations(fn: string, value: unknown): { batch: number; features: number } {
  assertTensor(fn, 'activations', value);
  if (value.rank < 2) {
    throw new RangeError(
      `${fn}: activations must have rank >= 2 ([batch, ...features]), got rank ${value.rank} (shape [${value.shape.join(', ')}])`,
    );
  }
  const batch = value.shape[0] as number;
  if (batch < 2) {
    throw new RangeError(`${fn}: activations must have a batch of at least 2 to have a covariance, got ${batch}`);
  }
  const features = value.size / batch;
  if (features < 1) {
    throw new RangeError(`${fn}: activations must have at least 1 feature, got shape [${value.shape.join(', ')}]`);
  }
  if (value.dtype !== 'float32' && value.dtype !== 'int32') {
    throw new TypeError(`${fn}: activations must be a float32 or int32 tensor, got dtype ${value.dtype}`);
  }
  return { batch, features };
}

export function assertFiniteAtLeast(fn: string, name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    const Err = typeof value === 'number' ? RangeError : TypeError;
    throw new Err(`${fn}: ${name} must be a finite number >= ${min}, got ${describe(value)}`);
  }
}

export function assertIntegerIn(fn: string, name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const Err = typeof value === 'number' ? RangeError : TypeError;
    throw new Err(`${fn}: ${name} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  }
}

export function assertOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const Err = typeof value === 'string' ? RangeError : TypeError;
    throw new Err(`${fn}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
}

export function assertOptionsObject(fn: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(value)}`);
  }
}

/**
 * Checks a half-open 0-based rank range [start, end) over a descending
 * spectrum of `available` eigenvalues. A fit needs at least 2 points.
 */
export function checkRange(fn: string, range: unknown, available: number, limit = 'the number of eigenvalues available'): [number, number] {
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((r) => typeof r === 'number' && Number.isInteger(r))
  ) {
    throw new TypeError(`${fn}: range must be a pair of integers [start, end), got ${describe(range)}`);
  }
  const [start, end] = range as [number, number];
  if (start < 0 || end - start < 2) {
    throw new RangeError(
      `${fn}: range must satisfy 0 <= start and end - start >= 2 (a fit needs 2 points), got ${describe(range)}`,
    );
  }
  if (end > available) {
    throw new RangeError(
      `${fn}: range end must be <= ${available}, ${limit}, got ${describe(range)}`,
    );
  }
  return [start, end];
}

/**
 * Checks a fit range against activations of `batch` rows and `features`
 * columns: centred over the batch they have rank at most min(batch - 1,
 * features), and eigenvalues past that rank are 0, not a power law.
 */
export function checkFitRange(fn: string, range: unknown, batch: number, features: number): [number, number] {
  const rank = Math.min(batch - 1, features);
  return checkRange(fn, range, rank, `the most eigenvalues that ${batch} centred rows of ${features} features can have (min(batch - 1, features))`);
}

/**
 * Every key of an options type, as a record so that the compiler insists on
 * each one: `optionKeys<FooOptions>({ a: true, b: true })`.
 */
export function optionKeys<T>(keys: Record<keyof T, true>): readonly string[] {
  return Object.keys(keys);
}

/**
 * A misspelt option would otherwise be ignored and its default used without
 * a word: every key must be one the function knows.
 */
export function assertKnownOptions(fn: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return;
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestKey(key, known);
    throw new TypeError(
      `${fn}: unknown option '${key}'${near === null ? `; the options are ${known.map((k) => `'${k}'`).join(', ')}` : ` (did you mean '${near}'?)`}`,
    );
  }
}

/** The known key within a third of its length in edits (at least 2), or null. */
function closestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

/** Levenshtein distance, with a transposition counting as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  const d = new Int32Array((a.length + 1) * width);
  const at = (i: number, j: number) => d[i * width + j] as number;
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}
