/**
 * spectral-reg: shape the eigenspectrum of hidden representations in
 * TensorFlow.js (Gerum, Pirlot, Fyshe & Zylberberg, 2022).
 *
 * The package imports no tfjs backend; pick one in your application.
 * Gradients of tfjs ops are registered by importing `@tensorflow/tfjs-layers`
 * or `@tensorflow/tfjs`, which any training code does.
 *
 * @packageDocumentation
 */
export { eigenspectrum, type EigenspectrumOptions } from './spectrum/eigenspectrum';
export { fitPowerLaw, type FitPowerLawOptions, type PowerLawFit, type PowerLawWeighting } from './spectrum/fitPowerLaw';
export { estimateAlpha, type EstimateAlphaOptions, type AlphaEstimate } from './spectrum/estimateAlpha';
export { SubspaceState } from './spectrum/SubspaceState';
export type { SpectrumOptions, EigenMethod, RitzSolve } from './spectrum/options';
export { spectralAlpha, type SpectralAlphaOptions } from './loss/spectralAlpha';
export { spectralLoss, type SpectralLossOptions, type SpectralLossMode } from './loss/spectralLoss';
export { SpectralRegularizer, spectralRegularizer, type SpectralRegularizerArgs, type SpectralEpochStats } from './layers/SpectralRegularizer';
export { SpectralHistory, spectralHistory, type SpectralHistoryOptions, type SpectralRecord } from './layers/spectralHistory';
export { measureAlpha, type MeasureAlphaOptions, type LayerAlpha } from './layers/measureAlpha';
export { fgsm } from './attacks/fgsm';
export { pgd } from './attacks/pgd';
export { robustAccuracy, type RobustAccuracyOptions, type RobustAccuracyPoint, type RobustAccuracyProgress } from './attacks/robustAccuracy';
export type { AttackOptions, PgdOptions, AttackNorm, AttackLoss, ModelOutputs } from './attacks/options';
export type { AttackModel } from './attacks/modelAdapter';
