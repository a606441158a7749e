// Finds and loads the native addon. Order: a prebuilt binary under prebuilds/<platform>-<arch>/
// (scripts/prebuild.js, shipped in the npm package), then a local build under build/Release/. Each
// step is tried on its own so that a broken local build cannot hide a good prebuild; the reasons
// for every failure are kept for backend(). Each file's ELF headers are checked first (elf-check.ts).
import * as fs from 'fs';
import * as path from 'path';
import { elfProblem } from './elf-check';
import type { Kernels } from './kernels';

export interface NativeLoadResult {
  kernels: Kernels | null;
  file: string | null; // the .node file that loaded
  failures: string[]; // why each candidate did not load
}

const packageRoot = path.resolve(__dirname, '..', '..');

function prebuildCandidates(root: string): string[] {
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.node'))
    .sort((a, b) => Number(b.includes('napi')) - Number(a.includes('napi')))
    .map((f) => path.join(dir, f));
}

function candidates(root: string): string[] {
  const local = path.join(root, 'build', 'Release', 'rnnkit.node');
  return [...prebuildCandidates(root), ...(fs.existsSync(local) ? [local] : [])];
}

export function loadNativeKernels(root: string = packageRoot): NativeLoadResult {
  const failures: string[] = [];
  const files = candidates(root);
  if (files.length === 0) {
    failures.push(`no native binary found (looked in ${path.join(root, 'prebuilds')} and ${path.join(root, 'build', 'Release')})`);
  }
  for (const file of files) {
    const problem = elfProblem(file); // a truncated binary would kill the process inside dlopen
    if (problem) {
      failures.push(`${file}: ${problem}`);
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const kernels = require(file) as Kernels;
      if (typeof kernels.rnnForward !== 'function') throw new Error('it does not export rnnForward');
      if (typeof kernels.rnnBackward !== 'function') throw new Error('it does not export rnnBackward (a binary older than this package)');
      return { kernels, file, failures };
    } catch (err) {
      failures.push(`${file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { kernels: null, file: null, failures };
}
