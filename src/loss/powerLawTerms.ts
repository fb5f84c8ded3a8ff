import {
  abs,
  add,
  div,
  log,
  maximum,
  min,
  minimum,
  mul,
  relu,
  sign,
  slice,
  square,
  sub,
  sum,
  tensor1d,
  type Scalar,
  type Tensor1D,
} from '@tensorflow/tfjs-core';
import { DEFAULT_EPSILON } from '../spectrum/fitPowerLaw';

/**
 * Differentiable power-law terms on a normalised, descending spectrum
 * tensor. Formulas follow the paper (Eq. 4-6), the authors' code and
 * Nassar et al. (2020); see docs/loss-modes.md.
 *
 * The eigenspectrum returns values below float32 rounding noise as exactly
 * 0. Every term fits only the ranks above that (a 0/1 mask), so no loss
 * chases rounding error or divides by it; with fewer than two such ranks a
 * term is 0 and passes no gradient.
 */

/** Smallest weight sum we divide by, so an all-masked range gives 0, not NaN. */
const TINY = 1e-30;

/** The spectrum values in [start, end) floored as in the paper: relu(lambda) + 1e-8. */
function flooredSlice(spectrum: Tensor1D, [start, end]: readonly [number, number]): Tensor1D {
  return add(relu(slice(spectrum, [start], [end - start])), DEFAULT_EPSILON) as Tensor1D;
}

/**
 * 1 for the ranks of [start, end) above rounding noise (nonzero), else 0.
 * Built from sign, whose gradient is zero: comparisons have no gradient in
 * tfjs and would break backpropagation through the loss.
 */
function resolvedMask(spectrum: Tensor1D, [start, end]: readonly [number, number]): Tensor1D {
  return sign(relu(slice(spectrum, [start], [end - start]))) as Tensor1D;
}

/**
 * Keeps NaN visible: 0 for a finite spectrum, NaN if any value is NaN, on
 * every backend (relu and comparisons can drop NaN, arithmetic cannot).
 */
export function nanGuard(spectrum: Tensor1D): Scalar {
  return sum(mul(spectrum, 0)) as Scalar;
}

/**
 * alpha = -slope of the OLS fit of ln(lambda) on ln(rank), over the ranks
 * of `range` above rounding noise (weights m in {0, 1}): with log-ranks
 * centred over those ranks, xc, the slope is sum(m xc y) / sum(m xc^2).
 * Exact on a range without noise; 0 when fewer than two ranks remain.
 */
export function alphaOfSpectrum(spectrum: Tensor1D, range: readonly [number, number]): Scalar {
  const [start, end] = range;
  const m = resolvedMask(spectrum, range);
  const x = tensor1d(Array.from({ length: end - start }, (_, i) => Math.log(start + i + 1)));
  const count = maximum(sum(m), TINY);
  const xc = mul(m, sub(x, div(sum(mul(m, x)), count)));
  const sxx = maximum(sum(square(xc)), TINY);
  const slope = div(sum(mul(xc, log(flooredSlice(spectrum, range)))), sxx);
  return add(mul(slope, -1), nanGuard(spectrum)) as Scalar;
}

/**
 * The measured alpha for reporting: {@link alphaOfSpectrum}, or NaN with
 * zero gradient when a rank of `range` is below rounding noise, since alpha
 * would then be fitted to fewer ranks than asked for.
 */
export function measuredAlpha(spectrum: Tensor1D, range: readonly [number, number]): Scalar {
  const complete = min(resolvedMask(spectrum, range));
  // Times 0 stops the partial fit's gradient; 0 / 1 = 0 when every rank is resolved, 0 / 0 = NaN otherwise.
  return add(mul(alphaOfSpectrum(spectrum, range), complete), div(0, complete)) as Scalar;
}

/**
 * Paper Eq. 6: |alpha - targetAlpha|, alpha fitted over the resolved ranks
 * of `range`; 0 with no gradient when fewer than two are resolved (there is
 * no slope to fit, and |0 - targetAlpha| would be a constant penalty).
 */
export function slopeTerm(spectrum: Tensor1D, range: readonly [number, number], targetAlpha: number): Scalar {
  // min(relu(count - 1), 1): 1 from two resolved ranks on, else 0; built on the mask, so no gradient.
  const fittable = minimum(relu(sub(sum(resolvedMask(spectrum, range)), 1)), 1);
  return mul(abs(sub(alphaOfSpectrum(spectrum, range), targetAlpha)), fittable) as Scalar;
}

/**
 * The authors' code: slope fixed at -targetAlpha, offset fitted by weighted
 * least squares in log10 space, loss = weighted mean squared residual.
 * Weights w_n = log10(n + 1) - log10(n) even out the crowding of high ranks.
 */
export function fixedSlopeTerm(spectrum: Tensor1D, range: readonly [number, number], targetAlpha: number): Scalar {
  const [start, end] = range;
  const ranks = Array.from({ length: end - start }, (_, i) => start + i + 1);
  const logRank = ranks.map((n) => Math.log10(n));
  const w = mul(tensor1d(ranks.map((n) => Math.log10(n + 1) - Math.log10(n))), resolvedMask(spectrum, range));
  const weights = div(w, maximum(sum(w), TINY));
  const line = tensor1d(logRank.map((v) => -targetAlpha * v));
  const logLambda = div(log(flooredSlice(spectrum, range)), Math.LN10) as Tensor1D;
  // Residual before the offset: r = y - m x; the optimal offset is the weighted mean of r.
  const r = sub(logLambda, line);
  const offset = sum(mul(weights, r));
  return add(sum(mul(weights, square(sub(r, offset)))), nanGuard(spectrum)) as Scalar;
}

/**
 * Nassar et al. (2020): target gamma_n = lambda_(tau+1) ((tau+1)/n)^alpha for
 * ranks n = tau+1..M, with tau = start and M = end; the loss is
 * 1/(M+1) * sum((lambda_n/gamma_n - 1)^2 + relu(lambda_n/gamma_n - 1)).
 */
export function nassarTerm(spectrum: Tensor1D, range: readonly [number, number], targetAlpha: number): Scalar {
  const [start, end] = range;
  const values = flooredSlice(spectrum, range);
  const anchor = slice(values, [0], [1]);
  const decay = tensor1d(Array.from({ length: end - start }, (_, i) => ((start + 1) / (start + i + 1)) ** targetAlpha));
  const ratio = div(values, mul(anchor, decay));
  const excess = sub(ratio, 1);
  // A rank below noise is left out; the anchor is the largest, so if it is noise so is every rank.
  const perRank = mul(add(square(excess), relu(excess)), resolvedMask(spectrum, range));
  return add(div(sum(perRank), end + 1), nanGuard(spectrum)) as Scalar;
}

