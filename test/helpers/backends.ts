// The two implementations of binding.d.ts, for the tests that run every check on each of them
// (ggml test-backend-ops style): describe.each(KERNEL_BACKENDS)('%s backend', (name, kernels) => ...).
import * as tsKernels from '../../src/backend/ts';
import type { Kernels } from '../../src/backend/kernels';
import { native } from './native';

export type BackendName = 'native' | 'ts';

/** [name, kernels]. If the addon did not load, native() throws the loader's reasons: its tests fail, never skip. */
export const KERNEL_BACKENDS: [BackendName, () => Kernels][] = [
  ['native', native],
  ['ts', () => tsKernels],
];
