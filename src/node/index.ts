/**
 * Node-only helpers of spectral-reg: `import { fileSystem } from 'spectral-reg/node'`.
 * Kept out of the main entry so that browser bundles never see `node:fs`.
 *
 * @packageDocumentation
 */
export { fileSystem, type FileSystemOptions } from './fileSystem';
