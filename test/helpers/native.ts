// Loads the native addon for the tests that call it directly. RNNKIT_NATIVE_ROOT, when set, is the package
// root to load from instead of this one (scripts/asan-native.sh points it at the ASan build).
import { loadNativeKernels } from '../../src/backend/native';
import type { Kernels } from '../../src/backend/kernels';

export const loaded = loadNativeKernels(process.env.RNNKIT_NATIVE_ROOT || undefined);

/** The addon, or an error that says why it did not load (so every test fails with the reason). */
export function native(): Kernels {
  if (!loaded.kernels) {
    throw new Error(
      `native addon did not load (run \`npm run build:native\`): ${loaded.failures.join('; ')}`,
    );
  }
  return loaded.kernels;
}
