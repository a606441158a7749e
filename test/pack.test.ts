// The npm package as users get it: `npm pack` with the prebuilt binary (scripts/prebuild.js), installed
// with install scripts disabled into an empty project, run with a PATH that holds node and nothing
// else (no cmake, no compiler). Native-only: the ts pass of `npm test` skips it.
//
// The prebuild is made in build/prebuild-out/ (not in prebuilds/ of this tree, which would take
// precedence over the fresh build/Release/ for every other test), and made again only when a native
// source is newer. RNNKIT_PACK_REPORT=1 prints the sizes.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const prebuildOut = path.join(root, 'build', 'prebuild-out');
const platformDir = `${process.platform}-${process.arch}`;
const describeNative = process.env.RNNKIT_BACKEND === 'ts' ? describe.skip : describe;

/** Newest modification time under the given files and folders. */
function newestMtime(entries: string[]): number {
  let newest = 0;
  for (const entry of entries) {
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      newest = Math.max(newest, newestMtime(fs.readdirSync(entry).map((f) => path.join(entry, f))));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}

/** The prebuilt binary, made now unless one newer than every native source is there. */
function ensurePrebuild(): string {
  const dir = path.join(prebuildOut, 'prebuilds', platformDir);
  const existing = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
  const sources = ['native', 'CMakeLists.txt', 'scripts/prebuild.js', 'scripts/prebuild-node-gyp.js'].map((f) => path.join(root, f));
  if (existing.length !== 1 || fs.statSync(path.join(dir, existing[0])).mtimeMs < newestMtime(sources)) {
    fs.rmSync(prebuildOut, { recursive: true, force: true });
    execFileSync(process.execPath, [path.join(root, 'scripts', 'prebuild.js'), '--out', prebuildOut], { stdio: 'pipe' });
  }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.node'));
  expect(files).toHaveLength(1);
  return path.join(dir, files[0]);
}

/** npm's own CLI script, run with this node, so that PATH need not hold npm (or a shell). */
function npmCli(): string {
  const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  return fs.realpathSync(npm);
}

/** A folder whose only program is node. */
function nodeOnlyPath(tmp: string): string {
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

function sizeOf(entry: string): number {
  const stat = fs.lstatSync(entry);
  return stat.isDirectory() ? fs.readdirSync(entry).reduce((n, f) => n + sizeOf(path.join(entry, f)), 0) : stat.size;
}

// Run in the installed project: which backend, a prediction, and four workers predicting at once.
const CONSUMER = `
'use strict';
const { Worker, isMainThread, parentPort } = require('worker_threads');
const rnnkit = require('rnnkit');

function predict() {
  rnnkit.clearSession();
  const model = new rnnkit.Sequential();
  model.add(new rnnkit.LSTM(16, { inputShape: [12, 5], returnSequences: true, seed: 1 }));
  model.add(new rnnkit.Bidirectional(new rnnkit.GRU(8, { seed: 2 })));
  model.add(new rnnkit.Dense(3, { activation: 'softmax', seed: 3 }));
  const x = Float32Array.from({ length: 7 * 12 * 5 }, (_, i) => Math.sin(i * 0.31));
  return Array.from(model.predict(rnnkit.tensor(x, [7, 12, 5])).data);
}

if (isMainThread) {
  const workers = process.argv.includes('--workers') ? 4 : 0;
  const forWorkers = Array.from({ length: workers }, () => new Promise((resolve, reject) => {
    const w = new Worker(__filename);
    w.once('message', resolve);
    w.once('error', reject);
  }));
  const main = predict();
  Promise.all(forWorkers).then((fromWorkers) => {
    const tools = process.env.PATH.split(':').flatMap((dir) =>
      ['cmake', 'gcc', 'g++', 'cc', 'c++', 'make'].filter((t) => require('fs').existsSync(dir + '/' + t)));
    process.stdout.write(JSON.stringify({ backend: rnnkit.backend(), main, fromWorkers, tools }));
  });
} else {
  parentPort.postMessage(predict());
}
`;

interface ConsumerResult {
  backend: { name: string; reason: string; file?: string };
  main: number[];
  fromWorkers: number[][];
  tools: string[];
}

describeNative('the npm package, installed with scripts disabled on a machine without a compiler', () => {
  let tmp: string;
  let binary: string;
  let tarball: string;
  let pathWithNodeOnly: string;

  /** Installs the tarball into a new empty project; returns the project's folder. */
  function installInto(name: string): string {
    const app = path.join(tmp, name);
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
    fs.writeFileSync(path.join(app, 'consumer.js'), CONSUMER);
    execFileSync(process.execPath, [npmCli(), 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--offline', tarball], {
      cwd: app,
      env: { ...process.env, PATH: pathWithNodeOnly },
      stdio: 'pipe',
    });
    return app;
  }

  function runConsumer(app: string, extraEnv: Record<string, string> = {}, args: string[] = []) {
    const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: pathWithNodeOnly, ...extraEnv };
    const run = spawnSync(process.execPath, ['consumer.js', ...args], { cwd: app, env, encoding: 'utf8' });
    return { status: run.status, signal: run.signal, stderr: run.stderr, result: run.status === 0 ? (JSON.parse(run.stdout) as ConsumerResult) : null };
  }

  beforeAll(() => {
    binary = ensurePrebuild();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-pack-'));
    pathWithNodeOnly = nodeOnlyPath(tmp);
    // The package's files as npm lists them, plus the prebuild, packed from a staging copy.
    const listed = JSON.parse(execFileSync(process.execPath, [npmCli(), 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0]
      .files as { path: string }[];
    const stage = path.join(tmp, 'stage');
    for (const f of listed.filter((entry) => !entry.path.startsWith('prebuilds/'))) {
      fs.mkdirSync(path.dirname(path.join(stage, f.path)), { recursive: true });
      fs.copyFileSync(path.join(root, f.path), path.join(stage, f.path));
    }
    fs.cpSync(path.join(prebuildOut, 'prebuilds'), path.join(stage, 'prebuilds'), { recursive: true });
    const packed = JSON.parse(execFileSync(process.execPath, [npmCli(), 'pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: stage, encoding: 'utf8' }))[0];
    tarball = path.join(tmp, packed.filename);
  }, 15 * 60 * 1000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the prebuilt binary depends on no OpenBLAS (nor gfortran) and exports only the Node-API entry points', () => {
    const needed = execFileSync('readelf', ['-d', binary], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('(NEEDED)'))
      .map((line) => /\[(.*)\]/.exec(line)![1]);
    expect(needed.filter((lib) => /openblas|blas|lapack|gfortran|gomp/.test(lib))).toEqual([]);
    expect(needed.every((lib) => /^(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|ld-linux.*)\.so/.test(lib))).toBe(true);
    const exported = execFileSync('nm', ['-D', '--defined-only', binary], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => / [TDBRVW] /.test(line))
      .map((line) => line.trim().split(/\s+/).pop()!);
    expect(exported.filter((s) => /cblas|sgemm|openblas|gotoblas/i.test(s))).toEqual([]);
    expect(exported).toContain('napi_register_module_v1');
  });

  test('the tarball ships lib/, prebuilds/, native/, CMakeLists.txt and binding.d.ts, and no tests', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const want of ['package/lib/index.js', 'package/lib/index.d.ts', 'package/binding.d.ts', 'package/CMakeLists.txt', 'package/native/addon.cc', `package/prebuilds/${platformDir}/${path.basename(binary)}`]) {
      expect(listing).toContain(want);
    }
    expect(listing.filter((f) => f.startsWith('package/test/') || f.startsWith('package/bench/'))).toEqual([]);
    if (process.env.RNNKIT_PACK_REPORT) {
      process.stdout.write(`pack: tarball ${fs.statSync(tarball).size} bytes, prebuilt binary ${fs.statSync(binary).size} bytes\n`);
    }
  });

  test('it runs on the prebuilt native binary, with the same numbers as the TypeScript fallback, in four workers too', () => {
    const app = installInto('app-native');
    const native = runConsumer(app, {}, ['--workers']);
    expect(native.stderr).toBe('');
    const r = native.result!;
    expect(r.tools).toEqual([]);
    expect(r.backend.name).toBe('native');
    expect(r.backend.file).toBe(fs.realpathSync(path.join(app, 'node_modules', 'rnnkit', 'prebuilds', platformDir, path.basename(binary))));
    const ts = runConsumer(app, { RNNKIT_BACKEND: 'ts' }).result!;
    expect(ts.backend.name).toBe('ts');
    expect(r.main).toHaveLength(7 * 3);
    r.main.forEach((v, i) => expect(Math.abs(v - ts.main[i])).toBeLessThan(1e-5));
    expect(r.fromWorkers).toHaveLength(4);
    for (const w of r.fromWorkers) expect(w).toEqual(r.main);
    if (process.env.RNNKIT_PACK_REPORT) {
      process.stdout.write(`pack: installed package ${sizeOf(path.join(app, 'node_modules', 'rnnkit'))} bytes\n`);
    }
  });

  test('without prebuilds/ it runs on the TypeScript fallback and says why on stderr', () => {
    const app = installInto('app-no-prebuild');
    fs.rmSync(path.join(app, 'node_modules', 'rnnkit', 'prebuilds'), { recursive: true });
    const run = runConsumer(app);
    expect(run.result!.backend.name).toBe('ts');
    expect(run.stderr).toMatch(/^rnnkit: native addon unavailable \(no native binary found.*\); using the TypeScript fallback\n$/);
  });

  test('a truncated prebuild falls back to TypeScript with a reason naming the file, without crashing', () => {
    const app = installInto('app-corrupt');
    const file = path.join(app, 'node_modules', 'rnnkit', 'prebuilds', platformDir, path.basename(binary));
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 3));
    const run = runConsumer(app);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(run.result!.backend.name).toBe('ts');
    expect(run.result!.backend.reason).toContain(fs.realpathSync(file));
    expect(run.stderr).toContain(fs.realpathSync(file));
  });
});
