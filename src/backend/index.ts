// Backend selection. Native first (prebuilds/, then build/Release/), else the TypeScript
// fallback, announced once on stderr. RNNKIT_BACKEND=native|ts forces one; a forced native that
// cannot load is an error, never a silent fallback.
import { BackendError, ValueError } from '../errors';
import type { Kernels } from './kernels';
import { NativeLoadResult, loadNativeKernels } from './native';
import * as tsKernels from './ts';

export type BackendName = 'native' | 'ts';

export interface BackendInfo {
  name: BackendName;
  /** Why this backend runs: forced by RNNKIT_BACKEND, loaded from a file, or why native failed. */
  reason: string;
  /** Threads that split a batch. */
  threads: number;
  /** The native binary that loaded, when name is 'native'. */
  file?: string;
}

export interface Selection {
  kernels: Kernels;
  name: BackendName;
  reason: string;
  file?: string;
}

let selection: Selection | null = null;

/** Chooses a backend; exported with its inputs as parameters so tests can drive every branch. */
export function selectBackend(
  forced: string | undefined = process.env.RNNKIT_BACKEND,
  loadNative: () => NativeLoadResult = loadNativeKernels,
  announce: (line: string) => void = (line) => process.stderr.write(line),
): Selection {
  if (forced !== undefined && forced !== '' && forced !== 'native' && forced !== 'ts') {
    throw new ValueError(`RNNKIT_BACKEND must be 'native' or 'ts', got '${forced}'`);
  }
  if (forced === 'ts') {
    return { kernels: tsKernels, name: 'ts', reason: 'forced by RNNKIT_BACKEND=ts' };
  }
  const native = loadNative();
  if (native.kernels && native.file) {
    const how = forced === 'native' ? 'forced by RNNKIT_BACKEND=native; ' : '';
    return { kernels: native.kernels, name: 'native', reason: `${how}loaded ${native.file}`, file: native.file };
  }
  const why = native.failures.join('; ');
  if (forced === 'native') {
    throw new BackendError(`RNNKIT_BACKEND=native but the native addon cannot load: ${why}`);
  }
  announce(`rnnkit: native addon unavailable (${why}); using the TypeScript fallback\n`);
  return { kernels: tsKernels, name: 'ts', reason: `native addon unavailable: ${why}` };
}

/** The kernels every layer runs on (selected on first use). */
export function kernels(): Kernels {
  if (!selection) selection = selectBackend();
  return selection.kernels;
}

/** Which backend runs, why, and with how many threads. */
export function backend(): BackendInfo {
  const s = selection ?? (selection = selectBackend());
  const info: BackendInfo = { name: s.name, reason: s.reason, threads: s.kernels.getThreads() };
  if (s.file) info.file = s.file;
  return info;
}

/** Sets the number of threads that split a batch on the native backend (no effect on ts). */
export function setThreads(threads: number): void {
  kernels().setThreads(threads);
}
