import { beforeEach, describe, expect, it, vi } from 'vitest';
import { hasGpuDeviceNode } from '../../src/node/gpuDeviceNodes';

const machine = vi.hoisted(() => ({ platform: 'linux', dev: [] as string[], dri: null as string[] | null }));
vi.mock('node:os', () => ({ platform: () => machine.platform }));
vi.mock('node:fs', () => ({
  readdirSync: (dir: string) => {
    if (dir === '/dev') return machine.dev;
    if (dir === '/dev/dri' && machine.dri !== null) return machine.dri;
    throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${dir}'`), { code: 'ENOENT' });
  },
}));

beforeEach(() => {
  machine.platform = 'linux';
  machine.dev = ['null', 'zero', 'tty'];
  machine.dri = null;
});

describe('hasGpuDeviceNode (the default backend looks for a GPU before loading Dawn)', () => {
  it('finds a DRM render node, an NVIDIA device or WSL’s GPU', () => {
    machine.dri = ['card0', 'renderD128'];
    expect(hasGpuDeviceNode()).toBe(true);
    machine.dri = null;
    machine.dev = ['null', 'nvidiactl', 'nvidia-uvm', 'nvidia0'];
    expect(hasGpuDeviceNode()).toBe(true);
    machine.dev = ['null', 'dxg'];
    expect(hasGpuDeviceNode()).toBe(true);
  });

  it('a Linux machine without one has no GPU: a card without a render node, or NVIDIA control nodes alone, do not count', () => {
    expect(hasGpuDeviceNode()).toBe(false);
    machine.dri = ['card0'];
    machine.dev = ['nvidiactl', 'nvidia-uvm'];
    expect(hasGpuDeviceNode()).toBe(false);
  });

  it('other systems are not checked (Metal and D3D12 need no device node)', () => {
    for (const platform of ['darwin', 'win32']) {
      machine.platform = platform;
      expect(hasGpuDeviceNode()).toBe(true);
    }
  });
});
