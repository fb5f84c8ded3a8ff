import { readdirSync } from 'node:fs';
import { platform } from 'node:os';

/**
 * Whether this Linux machine shows a GPU to user space: a DRM render node
 * (/dev/dri/renderD*: AMD, Intel, Nouveau and other Mesa drivers), an
 * NVIDIA device (/dev/nvidia0, ...) or WSL's GPU (/dev/dxg). A hardware
 * Vulkan driver needs one of them; without any, Dawn could only find a
 * software adapter, which the default choice refuses anyway, and loading it
 * prints Mesa's warnings. Other systems: true (Metal and D3D12 need no
 * device node to look for).
 */
export function hasGpuDeviceNode(): boolean {
  if (platform() !== 'linux') return true;
  const entries = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return entries('/dev/dri').some((name) => name.startsWith('renderD')) || entries('/dev').some((name) => /^nvidia\d+$/.test(name) || name === 'dxg');
}
