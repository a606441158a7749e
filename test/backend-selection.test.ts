// Backend selection rules: native when it loads, else the TypeScript fallback announced once;
// RNNKIT_BACKEND forces one, and a forced native that cannot load is an error.
import { BackendError, ValueError, backend } from '../src';
import { selectBackend } from '../src/backend';
import { loadNativeKernels } from '../src/backend/native';
import * as tsKernels from '../src/backend/ts';

const noNative = () => ({ kernels: null, file: null, failures: ['/pkg/build/Release/rnnkit.node: invalid ELF header'] });

test('the suite runs on the backend RNNKIT_BACKEND asks for', () => {
  expect(backend().name).toBe(process.env.RNNKIT_BACKEND ?? backend().name);
  expect(backend().threads).toBeGreaterThanOrEqual(1);
});

test('without RNNKIT_BACKEND a loadable addon is chosen and its file is the reason', () => {
  const native = loadNativeKernels();
  expect(native.failures).toEqual([]);
  const chosen = selectBackend('', () => native, () => {});
  expect(chosen.name).toBe('native');
  expect(chosen.reason).toContain(native.file!);
});

test('when the addon cannot load, the TypeScript fallback runs and says why, once, on stderr', () => {
  const lines: string[] = [];
  const chosen = selectBackend('', noNative, (l) => lines.push(l));
  expect(chosen.name).toBe('ts');
  expect(chosen.kernels).toBe(tsKernels);
  expect(chosen.reason).toContain('invalid ELF header');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/TypeScript fallback/);
});

test('RNNKIT_BACKEND=native with no loadable addon is a BackendError with the reasons', () => {
  expect(() => selectBackend('native', noNative, () => {})).toThrow(BackendError);
  expect(() => selectBackend('native', noNative, () => {})).toThrow(/invalid ELF header/);
});

test('RNNKIT_BACKEND=ts uses the fallback without announcing it', () => {
  const lines: string[] = [];
  const chosen = selectBackend('ts', () => {
    throw new Error('must not try to load native');
  }, (l) => lines.push(l));
  expect(chosen.name).toBe('ts');
  expect(lines).toEqual([]);
});

test('an unknown RNNKIT_BACKEND value is a ValueError', () => {
  expect(() => selectBackend('gpu', noNative, () => {})).toThrow(ValueError);
});

test('the loader reports where it looked when there is no binary at all', () => {
  const result = loadNativeKernels('/nonexistent/rnnkit');
  expect(result.kernels).toBeNull();
  expect(result.failures.join()).toContain('/nonexistent/rnnkit/build/Release');
});
