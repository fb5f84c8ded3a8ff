import {
  add,
  div,
  log,
  mul,
  relu,
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
 */

/** The spectrum values in [start, end) floored as in the paper: relu(lambda) + 1e-8. */
function flooredSlice(spectrum: Tensor1D, [start, end]: readonly [number, number]): Tensor1D {
  return add(relu(slice(spectrum, [start], [end - start])), DEFAULT_EPSILON) as Tensor1D;
}

/**
 * alpha = -slope of the OLS fit of ln(lambda) on ln(rank). With centred
 * log-ranks xc the slope is sum(xc * y) / sum(xc^2), a fixed linear map of y.
 */
export function alphaOfSpectrum(spectrum: Tensor1D, range: readonly [number, number]): Scalar {
  const [start, end] = range;
  const x = Array.from({ length: end - start }, (_, i) => Math.log(start + i + 1));
  const meanX = x.reduce((a, b) => a + b, 0) / x.length;
  const centred = x.map((v) => v - meanX);
  const sxx = centred.reduce((a, b) => a + b * b, 0);
  const weights = tensor1d(centred.map((v) => -v / sxx));
  return sum(mul(weights, log(flooredSlice(spectrum, range)))) as Scalar;
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
  const w = ranks.map((n) => Math.log10(n + 1) - Math.log10(n));
  const wSum = w.reduce((a, b) => a + b, 0);
  const weights = tensor1d(w.map((v) => v / wSum));
  const line = tensor1d(logRank.map((v) => -targetAlpha * v));
  const logLambda = div(log(flooredSlice(spectrum, range)), Math.LN10) as Tensor1D;
  // Residual before the offset: r = y - m x; the optimal offset is the weighted mean of r.
  const r = sub(logLambda, line);
  const offset = sum(mul(weights, r));
  return sum(mul(weights, square(sub(r, offset)))) as Scalar;
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
  const perRank = add(square(excess), relu(excess));
  return div(sum(perRank), end + 1) as Scalar;
}

