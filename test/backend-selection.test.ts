// Backend selection rules: native when it loads, else the TypeScript fallback announced once;
// RNNKIT_BACKEND forces one, and a forced native that cannot load is an error.
import { BackendError, ValueError, backend } from '../src';
import { selectBackend } from '../src/backend';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { elfProblem } from '../src/backend/elf-check';
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

describe('native binaries are checked before the dynamic loader maps them', () => {
  const built = path.join(__dirname, '..', 'build', 'Release', 'rnnkit.node');
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-elf-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A copy of the local build, changed by edit. */
  function copyOfBuild(name: string, edit: (bytes: Buffer) => Buffer = (b) => b): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, edit(fs.readFileSync(built)));
    return file;
  }

  test('a whole binary passes', () => {
    expect(elfProblem(copyOfBuild('whole.node'))).toBeNull();
  });

  test('a truncated binary is refused as truncated, with both sizes', () => {
    const file = copyOfBuild('truncated.node', (b) => b.subarray(0, Math.floor(b.length / 2)));
    expect(elfProblem(file)).toMatch(/^truncated: \d+ bytes, its ELF headers describe \d+$/);
  });

  test('a file cut inside its headers is refused', () => {
    expect(elfProblem(copyOfBuild('tiny.node', (b) => b.subarray(0, 40)))).toMatch(/^not an ELF file \(40 bytes\)$/);
  });

  test('a file that is not ELF is refused', () => {
    const file = path.join(tmp, 'text.node');
    fs.writeFileSync(file, 'this is not a shared object, only text pretending to be one'.repeat(4));
    expect(elfProblem(file)).toMatch(/^not an ELF file/);
  });

  test('a binary for another machine is refused, naming both', () => {
    const file = copyOfBuild('arm64.node', (b) => {
      const c = Buffer.from(b);
      c.writeUInt16LE(183, 18); // EM_AARCH64
      return c;
    });
    expect(elfProblem(file)).toBe(`built for arm64, this process is ${process.arch}`);
  });

  test('a truncated prebuild does not hide a good local build, and the reason names it', () => {
    const root = path.join(tmp, 'package');
    const prebuilds = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    fs.mkdirSync(prebuilds, { recursive: true });
    fs.mkdirSync(path.join(root, 'build', 'Release'), { recursive: true });
    const bad = path.join(prebuilds, 'node.glibc.node');
    fs.writeFileSync(bad, fs.readFileSync(built).subarray(0, 100000));
    fs.copyFileSync(built, path.join(root, 'build', 'Release', 'rnnkit.node'));
    const result = loadNativeKernels(root);
    expect(result.file).toBe(path.join(root, 'build', 'Release', 'rnnkit.node'));
    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: truncated: 100000 bytes`))]);
  });
});
