// The benchmark harness (bench/, `npm run bench`) in its --quick mode: its behaviour only (exit
// status, the tables' rows and columns, bench.json and bench.md), never its timings. It runs the
// compiled package (lib/, built by `npm test`'s pretest) in a child process. The harness does not
// depend on the layers' backend, so it runs in the native pass of `npm test` only. Optional peers
// installed in bench/node_modules (`npm run bench:peers`) are kept out with --no-peers.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const benchMain = path.join(root, 'bench', 'index.js');
const runHere = process.env.RNNKIT_BACKEND === 'ts' ? describe.skip : describe;

function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_PATH; // no optional peers from outside the project
  const r = spawnSync(process.execPath, [benchMain, ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COLUMNS = ['shape', 'config', 'ms/batch median (min-max)', 'seq/s', 'GFLOP/s', '% of limit', 'native/ts', '2t/1t', 'native/peer'];

interface BenchRow {
  shape: string;
  config: string;
  kind: string;
  threads: number;
  msMedian: number;
  msMin: number;
  msMax: number;
  seqPerSec: number;
  gflops: number;
  limitPct: number | null;
  nativeOverTs: number | null;
  vsOneThread: number | null;
  maxAbsDiff: number | null;
}

interface Delay {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

interface AsyncMemory {
  available: boolean;
  reason: string | null;
  quick: boolean;
  poolThreads: number;
  uvThreadpoolSize: number;
  cores: number;
  eventLoop: { batch: number; calls: number; seconds: number; delay: Delay; idle: Delay; ticks: number; targetP99Ms: number; met: boolean };
  concurrent: {
    calls: number;
    batch: number;
    rounds: number;
    compared: number;
    differing: number;
    maxAbsDiff: number;
    concurrentMs: number;
    sequentialMs: number;
    threads: { before: number; peak: number; byOrigin: Record<string, number>; runnablePeak: number; samples: number } | null;
  };
  memory: { warmupCalls: number; calls: number; rssWarmMB: number; rssEndMB: number; rssChangePct: number; heapWarmMB: number; heapEndMB: number; met: boolean };
}

interface BenchJson {
  meta: {
    system: { cpu: string; node: string; cores: number; date: string };
    native: { loaded: boolean; matmul: boolean };
    probe: { available: boolean; best: Record<string, number> };
    limit: { source: string | null; gflops: number | null; threads: number | null; byThreads: Record<string, number> };
    options: { shapes: string[]; threads: number[]; reps: number; quick: boolean; async: boolean; onlyAsync: boolean };
    totalSeconds: number;
  };
  shapes: { id: string; flops: number; rows: BenchRow[]; summary: Record<string, unknown> }[];
  async: AsyncMemory | null;
}

/** A fresh output folder for fn, removed afterwards. */
function withOut<T>(fn: (out: string) => T): T {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-bench-'));
  try {
    return fn(out);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

runHere('bench --quick', () => {
  let out: string;
  let result: ReturnType<typeof bench>;
  let json: BenchJson;

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-bench-'));
    result = bench(['--quick', '--shape', 'S1a,S4', '--no-peers', '--no-async', '--out', out]);
    if (result.status === 0) json = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8'));
  });

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('exits 0 and prints the table with every column', () => {
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const header = result.stdout.split('\n').find((l) => l.startsWith('shape  config'));
    expect(header).toBeDefined();
    const cells = header!.split(/ {2,}/);
    expect(cells).toEqual(COLUMNS);
    expect(result.stdout).toMatch(/^sgemm (probe|limit)/m);
    expect(result.stdout).toMatch(/^machine: /m);
  });

  test('has one row per shape and configuration: native 1t and 2t (when the addon loads) and ts', () => {
    const configs = json.meta.native.loaded ? ['native 1t', 'native 2t', 'ts'] : ['ts'];
    const rows = result.stdout.split('\n').filter((l) => /^S\d\w*\s/.test(l) && !/^S\d\w*: /.test(l));
    const table = rows.slice(0, 2 * configs.length).map((l) => l.split(/ {2,}/).slice(0, 2).join(' | '));
    expect(table).toEqual(['S1a', 'S4'].flatMap((s) => configs.map((c) => `${s} | ${c}`)));
  });

  test('bench.json has the run, the probe and one entry per shape with the figures of every row', () => {
    expect(json.meta.options).toMatchObject({ shapes: ['S1a', 'S4'], threads: [1, 2], reps: 1, quick: true });
    expect(typeof json.meta.system.cpu).toBe('string');
    expect(json.meta.system.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(json.meta.system.date))).toBe(false);
    expect(json.meta.totalSeconds).toBeGreaterThan(0);
    // The probe runs on the rows' thread counts (1, 2) and on all the cores.
    const probed = [...new Set([1, 2, os.cpus().length])].sort((a, b) => a - b).map(String);
    if (json.meta.native.matmul) expect(Object.keys(json.meta.probe.best)).toEqual(probed);
    expect(json.shapes.map((s) => s.id)).toEqual(['S1a', 'S4']);
    // FLOPs = 2*B*T*(D+H)*g*H: S1a SimpleRNN 128, input 100, 30 steps, batch 1; S4 LSTM 128, input 64, 50 steps.
    expect(json.shapes.map((s) => s.flops)).toEqual([2 * 30 * 228 * 128, 2 * 50 * 192 * 4 * 128]);
    for (const s of json.shapes) {
      expect(s.summary).toHaveProperty('nativeSeqPerSec');
      for (const r of s.rows) {
        expect(r.msMin).toBeLessThanOrEqual(r.msMedian);
        expect(r.msMedian).toBeLessThanOrEqual(r.msMax);
        expect(r.seqPerSec).toBeGreaterThan(0);
        expect(r.gflops).toBeGreaterThan(0);
        expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4); // every configuration computes the layer's output
      }
      const ts = s.rows.find((r) => r.kind === 'ts')!;
      expect(ts.threads).toBe(1);
      if (json.meta.native.loaded) {
        expect(s.rows.find((r) => r.config === 'native 2t')!.nativeOverTs).toBeGreaterThan(0);
        expect(s.rows.find((r) => r.config === 'native 2t')!.vsOneThread).toBeGreaterThan(0);
      }
    }
  });

  test('every row\'s % of limit is its GFLOP/s over one limit: the best probe figure over the thread counts', () => {
    const { probe, limit } = json.meta;
    if (!probe.available) {
      expect(limit.gflops).toBeNull();
      for (const s of json.shapes) for (const r of s.rows) expect(r.limitPct).toBeNull();
      return;
    }
    expect(limit.source).toBe('probe');
    expect(limit.byThreads).toEqual(probe.best); // each thread count's figure is kept
    expect(limit.gflops).toBe(Math.max(...Object.values(probe.best)));
    expect(probe.best[String(limit.threads)]).toBe(limit.gflops);
    for (const s of json.shapes) {
      for (const r of s.rows) expect(r.limitPct).toBeCloseTo((100 * r.gflops) / limit.gflops!, 6); // 1-thread rows too
    }
  });

  test('the probe line prints each thread count\'s figure and the limit taken from them', () => {
    if (!json.meta.probe.available) return;
    const line = result.stdout.split('\n').find((l) => l.startsWith('sgemm probe'))!;
    expect(line).toMatch(/: 1 thread [\d.]+ GFLOP\/s(, \d+ threads [\d.]+ GFLOP\/s)+; limit = the best, [\d.]+ GFLOP\/s \(\d+ threads?\), for every row$/);
    expect(line).toContain(`limit = the best, ${json.meta.limit.gflops!.toFixed(1)} GFLOP/s`);
  });

  test('--no-async leaves the async and memory section out', () => {
    expect(json.meta.options.async).toBe(false);
    expect(json.async).toBeNull();
    expect(result.stdout).not.toContain('async and memory');
  });

  test('bench.md has the machine, the command and a Markdown table', () => {
    const md = fs.readFileSync(path.join(out, 'bench.md'), 'utf8');
    expect(md).toMatch(/^# rnnkit bench, \d{4}-\d\d-\d\d/);
    expect(md).toContain(`node ${process.version}`);
    expect(md).toContain('command: `node bench/index.js --quick --shape S1a,S4');
    expect(md).toContain(`| ${COLUMNS.join(' | ')} |`);
    expect(md).toMatch(/^\| --- \| --- \| ---: \|/m);
    expect(md).toMatch(/^\| S4 \| ts \| /m);
  });
});

runHere('bench options', () => {
  test('--json prints the same JSON that bench.json holds', () => {
    withOut((out) => {
      const r = bench(['--quick', '--shape', 's1a', '--no-peers', '--no-ts', '--no-async', '--threads', '1', '--json', '--out', out]);
      expect(r.status).toBe(0);
      const printed = JSON.parse(r.stdout);
      expect(printed).toEqual(JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8')));
      expect(printed.shapes.map((s: { id: string }) => s.id)).toEqual(['S1a']);
      expect(printed.shapes[0].rows.every((row: BenchRow) => row.kind !== 'ts')).toBe(true);
    });
  });

  test('--limit-gflops: the limit of every row is the largest figure given, each figure kept', () => {
    withOut((out) => {
      const r = bench(['--quick', '--shape', 'S1a', '--no-peers', '--no-async', '--limit-gflops', '1=50,2=100', '--out', out]);
      expect(r.status).toBe(0);
      const j: BenchJson = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8'));
      expect(j.meta.probe.available).toBe(false);
      expect(j.meta.limit).toEqual({ source: '--limit-gflops', gflops: 100, threads: 2, byThreads: { '1': 50, '2': 100 } });
      const rows = j.shapes[0].rows;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.limitPct).toBeCloseTo(row.gflops, 6); // 100 * gflops / 100, native 1t and ts too
      expect(r.stdout).toMatch(/^sgemm figures given with --limit-gflops: 1 thread 50\.0 GFLOP\/s, 2 threads 100\.0 GFLOP\/s; limit = the largest, 100\.0 GFLOP\/s \(2 threads\)/m);
    });
  });

  test('a bad option or shape exits 2 with the usage', () => {
    for (const args of [['--frobnicate'], ['--shape', 'S9'], ['--threads', '0'], ['--only-async', '--no-async'], ['--only-async', '--shape', 'S1a']]) {
      const r = bench(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('usage: node bench/index.js');
    }
  });
});

runHere('bench --quick --only-async: the async and memory section', () => {
  let out: string;
  let result: ReturnType<typeof bench>;
  let json: BenchJson;
  let section: AsyncMemory;

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-bench-'));
    result = bench(['--quick', '--only-async', '--out', out]);
    if (result.status === 0) json = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8'));
    if (json) section = json.async!;
  });

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('runs the section alone: exits 0, no shapes, no probe', () => {
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    expect(json.meta.options).toMatchObject({ onlyAsync: true, async: true, shapes: [] });
    expect(json.shapes).toEqual([]);
    expect(json.meta.probe.available).toBe(false);
    expect(result.stdout).not.toMatch(/^shape {2}config/m);
    expect(result.stdout).not.toMatch(/^sgemm/m);
  });

  test('runs on the native backend when the addon loads, and says why not otherwise', () => {
    expect(section.available).toBe(json.meta.native.loaded);
    if (!section.available) expect(section.reason).toMatch(/native/);
    else expect(section.reason).toBeNull();
  });

  test('the event loop: monitorEventLoopDelay p50 <= p99 <= max during back-to-back S2 predictAsync calls, and idle', () => {
    if (!section.available) return;
    const e = section.eventLoop;
    expect(e.batch).toBe(64);
    expect(e.calls).toBeGreaterThanOrEqual(1);
    for (const d of [e.delay, e.idle]) {
      expect(d.samples).toBeGreaterThan(0);
      expect(d.p50).toBeLessThanOrEqual(d.p99);
      expect(d.p99).toBeLessThanOrEqual(d.max);
    }
    expect(e.targetP99Ms).toBe(5);
    expect(e.met).toBe(e.delay.p99 < 5);
  });

  test('the concurrent calls: 64 of batch 8, every result compared with predict, timed against sequential awaits', () => {
    if (!section.available) return;
    const c = section.concurrent;
    expect(c).toMatchObject({ calls: 64, batch: 8, rounds: 1 });
    expect(c.compared).toBe(64 * (2 * c.rounds + 1)); // each timed round at once and one by one, and the sampled round
    expect(c.differing).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(c.maxAbsDiff)).toBe(true);
    expect(c.concurrentMs).toBeGreaterThan(0);
    expect(c.sequentialMs).toBeGreaterThan(0);
  });

  test('the threads of the concurrent calls, by origin, next to the pool sizes', () => {
    if (!section.available) return;
    expect(section.poolThreads).toBeGreaterThanOrEqual(1);
    expect(section.uvThreadpoolSize).toBe(process.env.UV_THREADPOOL_SIZE ? Number(process.env.UV_THREADPOOL_SIZE) : 4);
    expect(section.cores).toBe(os.cpus().length);
    const t = section.concurrent.threads;
    if (!fs.existsSync('/proc/self/task')) return expect(t).toBeNull();
    expect(t!.samples).toBeGreaterThan(0);
    expect(t!.peak).toBeGreaterThanOrEqual(t!.before);
    expect(t!.byOrigin.libuv).toBe(section.uvThreadpoolSize); // started by the first predictAsync
    expect(t!.runnablePeak).toBeLessThan(t!.peak);
  });

  test('memory: RSS and heapUsed after the warm-up and after the predict calls (--quick: 500 + 10,000)', () => {
    if (!section.available) return;
    const m = section.memory;
    expect(m).toMatchObject({ warmupCalls: 500, calls: 10_000 });
    expect(m.rssWarmMB).toBeGreaterThan(0);
    expect(m.rssEndMB).toBeGreaterThan(0);
    expect(m.rssChangePct).toBeCloseTo((100 * (m.rssEndMB - m.rssWarmMB)) / m.rssWarmMB, 6);
    expect(m.heapWarmMB).toBeGreaterThan(0);
    expect(m.met).toBe(Math.abs(m.rssChangePct) <= 5);
  });

  test('prints the section as a table, and bench.md holds it', () => {
    if (!section.available) return;
    expect(result.stdout).toMatch(/^async and memory \(public API, native backend, /m);
    expect(result.stdout).toMatch(/^async and memory {2,}measure {2,}value {2,}target$/m);
    const md = fs.readFileSync(path.join(out, 'bench.md'), 'utf8');
    expect(md).toContain('## Async and memory');
    expect(md).toContain('| async and memory | measure | value | target |');
    expect(md).toMatch(/^\| event loop, S2 predictAsync batch 64 \| delay p50 \/ p99 \/ max \| /m);
    expect(md).toMatch(/^\| memory, S1a predict batch 1 x 10,000 \| RSS /m);
  });
});
