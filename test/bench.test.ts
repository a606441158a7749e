// The benchmark harness (bench/, `npm run bench`) in its --quick mode: its behaviour only (exit
// status, the table's rows and columns, bench.json and bench.md), never its timings. It runs the
// compiled package (lib/, built by `npm test`'s pretest) in a child process. The harness does not
// depend on the layers' backend, so it runs in the native pass of `npm test` only.
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

interface BenchJson {
  meta: {
    system: { cpu: string; node: string; cores: number; date: string };
    native: { loaded: boolean; matmul: boolean };
    probe: { available: boolean; best: Record<string, number> };
    options: { shapes: string[]; threads: number[]; reps: number; quick: boolean };
    totalSeconds: number;
  };
  shapes: { id: string; flops: number; rows: BenchRow[]; summary: Record<string, unknown> }[];
}

runHere('bench --quick', () => {
  let out: string;
  let result: ReturnType<typeof bench>;
  let json: BenchJson;

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-bench-'));
    result = bench(['--quick', '--shape', 'S1a,S4', '--no-peers', '--out', out]);
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
    if (json.meta.native.matmul) expect(Object.keys(json.meta.probe.best).sort()).toEqual(['1', '2']);
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
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-bench-'));
    try {
      const r = bench(['--quick', '--shape', 's1a', '--no-peers', '--no-ts', '--threads', '1', '--json', '--out', out]);
      expect(r.status).toBe(0);
      const printed = JSON.parse(r.stdout);
      expect(printed).toEqual(JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8')));
      expect(printed.shapes.map((s: { id: string }) => s.id)).toEqual(['S1a']);
      expect(printed.shapes[0].rows.every((row: BenchRow) => row.kind !== 'ts')).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('a bad option or shape exits 2 with the usage', () => {
    for (const args of [['--frobnicate'], ['--shape', 'S9'], ['--threads', '0']]) {
      const r = bench(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('usage: node bench/index.js');
    }
  });
});
