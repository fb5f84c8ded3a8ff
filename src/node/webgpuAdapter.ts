/**
 * Tells a hardware WebGPU adapter from a software one by what the adapter
 * says about itself (`GPUAdapter.info`). Software adapters (SwiftShader,
 * Mesa's llvmpipe/lavapipe, Microsoft's WARP) run WebGPU on the CPU and
 * are slower than the wasm backend, so setupNodeBackend never picks one by
 * default.
 */

/** The fields of `GPUAdapterInfo` this module reads; all are optional, since drivers leave some empty. */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** Set by Dawn (and by the WebGPU spec since 2024) for CPU and other fallback adapters. */
  isFallbackAdapter?: boolean;
}

/** Names that occur only in software rasterisers' vendor, architecture, device or description. */
const SOFTWARE_NAMES = ['swiftshader', 'llvmpipe', 'lavapipe', 'softpipe', 'basic render driver'];

/**
 * PCI vendor ids (as hex strings) paired with the device id of their
 * software adapter; `null` means every device of that vendor id.
 * 0x1ae0 Google / 0xc0de SwiftShader, 0x1414 Microsoft / 0x8c WARP,
 * 0x10005 Mesa (VK_VENDOR_ID_MESA, used by lavapipe; Mesa's hardware
 * drivers report the GPU maker's id).
 */
const SOFTWARE_IDS: ReadonlyArray<readonly [vendor: string, device: string | null]> = [
  ['0x1ae0', '0xc0de'],
  ['0x1414', '0x8c'],
  ['0x10005', null],
];

/** Dawn's vendor name for VK_VENDOR_ID_MESA. */
const SOFTWARE_VENDORS = ['mesa'];

/** Lower-case hex without leading zeros ('0x00C0DE' -> '0xc0de'), or the trimmed lower-case text. */
function normalisedId(value: string | undefined): string {
  const text = (value ?? '').trim().toLowerCase();
  const hex = /^0x0*([0-9a-f]+)$/.exec(text);
  return hex ? `0x${hex[1]}` : text;
}

/**
 * Whether an adapter is a software (CPU) implementation: its fallback flag
 * is set, or one of its strings names a software rasteriser, or its vendor
 * and device ids are those of one.
 */
export function isSoftwareAdapter(info: AdapterInfoLike, isFallbackAdapter = false): boolean {
  if (isFallbackAdapter || info.isFallbackAdapter === true) return true;
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase();
  if (SOFTWARE_NAMES.some((name) => text.includes(name))) return true;
  const vendor = normalisedId(info.vendor);
  const device = normalisedId(info.device);
  if (SOFTWARE_VENDORS.includes(vendor)) return true;
  return SOFTWARE_IDS.some(([v, d]) => vendor === v && (d === null || device === d));
}

/**
 * A short name for an adapter, for messages: its description, then its
 * vendor and architecture in parentheses, e.g.
 * `SwiftShader driver 5.0.0 (google, swiftshader)`.
 */
export function describeAdapter(info: AdapterInfoLike): string {
  const name = info.description?.trim() || info.device?.trim() || '';
  const origin = [info.vendor, info.architecture].map((s) => s?.trim() ?? '').filter((s) => s !== '');
  if (name === '' && origin.length === 0) return 'an adapter that does not name itself';
  if (name === '') return origin.join(', ');
  return origin.length === 0 ? name : `${name} (${origin.join(', ')})`;
}
