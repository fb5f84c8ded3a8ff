/**
 * Node-only helpers of spectral-reg: `import { setupNodeBackend, fileSystem } from 'spectral-reg/node'`.
 * Kept out of the main entry so that browser bundles never see `node:fs` or backend packages.
 *
 * @packageDocumentation
 */
export { fileSystem, type FileSystemOptions } from './fileSystem';
export { setupNodeBackend, nodeBackendInfo, type SetupNodeBackendOptions, type NodeBackendChoice, type NodeBackendInfo } from './setupNodeBackend';
export { parallelAttack, type ParallelAttackOptions } from './parallelAttack';
