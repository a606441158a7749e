#!/usr/bin/env node
// Times the native addon's kernels on issue 3's reference shapes, side by side: several builds of the
// addon (e.g. a saved baseline and the current one) load into one process and run interleaved, round
// after round, and the medians are compared. Not the benchmark (bench/); a tool for kernel work.
//
//   node scripts/perf-kernels.js [--addon a.node,b.node] [--shapes S1a,S2] [--threads 1,2]
//                                [--rounds 7] [--ms 250] [--quiet 10 [--max-minutes 20]]
//
// Per shape, variant and thread count: seq/s, GFLOP/s, % of the limit (FLOPs / the best sgemm rate
// of the matmul probe on 2 threads, measured in the same run) and the 2-thread / 1-thread ratio.
//
// --quiet P keeps only the samples during which other processes used less than P % of the
// machine's cores (from /proc/stat minus this process's own CPU time), repeating rounds until
// every measurement has `rounds` such samples or --max-minutes pass: on a machine shared with
// other jobs, the medians then describe the machine, not its neighbours.
'use strict';
const path = require('path');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const root = path.resolve(__dirname, '..');
const addonFiles = opt('addon', path.join(root, 'build/Release/rnnkit.node')).split(',');
const threadCounts = opt('threads', '1,2').split(',').map(Number);
const rounds = Number(opt('rounds', '7'));
const budgetMs = Number(opt('ms', '250'));

const SHAPES = {
  S1a: { cell: 'simple_rnn', units: 128, inputDim: 100, timesteps: 30, batch: 1 },
  S1b: { cell: 'simple_rnn', units: 128, inputDim: 100, timesteps: 30, batch: 256 },
  S2: { cell: 'lstm', units: 256, inputDim: 128, timesteps: 100, batch: 64 },
  S3: { cell: 'gru', units: 256, inputDim: 128, timesteps: 100, batch: 64 },
  S4: { cell: 'lstm', units: 128, inputDim: 64, timesteps: 50, batch: 1 },
  S5: { cell: 'lstm', units: 128, inputDim: 100, timesteps: 50, batch: 32, bidirectional: true },
};
const shapeNames = opt('shapes', Object.keys(SHAPES).join(',')).split(',');

// mulberry32, so every run times the same numbers.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function uniform(n, scale, next) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (next() * 2 - 1) * scale;
  return a;
}

const gates = (cell) => (cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1);

function makeCall(s) {
  const next = rng(12345);
  const g = gates(s.cell);
  const { batch: B, timesteps: T, inputDim: D, units: H } = s;
  const one = (goBackwards) => ({
    cell: s.cell, batch: B, timesteps: T, inputDim: D, units: H,
    x: null,
    kernel: uniform(D * g * H, 1 / Math.sqrt(D), next),
    recurrentKernel: uniform(H * g * H, 1 / Math.sqrt(H), next),
    bias: uniform((s.cell === 'gru' ? 2 : 1) * g * H, 0.1, next),
    activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: true, goBackwards,
    returnSequences: false, zeroOutputForMask: false, initialH: null, initialC: null, mask: null,
  });
  const x = uniform(B * T * D, 1, next);
  const list = s.bidirectional ? [one(false), one(true)] : [one(false)];
  for (const a of list) a.x = x;
  const flops = 2 * B * T * (D + H) * g * H * list.length;
  return { list, flops, batch: B };
}

function runner(k, call) {
  if (call.list.length === 1) return () => k.rnnForward(call.list[0]);
  if (k.rnnForwardMany) return () => k.rnnForwardMany(call.list);
  return () => call.list.map((a) => k.rnnForward(a)); // builds without rnnForwardMany
}

const quiet = opt('quiet', null) === null ? null : Number(opt('quiet', '10'));
const maxMinutes = Number(opt('max-minutes', '20'));
const fs = require('fs');
const os = require('os');
// Busy CPU seconds of the whole machine so far (/proc/stat, USER_HZ = 100), or null off Linux.
function machineBusy() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) / 100;
  } catch {
    return null;
  }
}
const cores = os.cpus().length;

// Seconds per call: repeats fn for about budgetMs (at least 3 calls) and returns the mean, with
// the share of the machine other processes used meanwhile.
function timeOnce(fn) {
  fn();
  let n = 0;
  const busy0 = machineBusy();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let t = t0;
  while (n < 3 || Number(t - t0) < budgetMs * 1e6) {
    fn();
    n++;
    t = process.hrtime.bigint();
  }
  const wall = Number(t - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const busy1 = machineBusy();
  const others = busy0 === null ? 0 : Math.max(0, busy1 - busy0 - (cpu.user + cpu.system) / 1e6) / (wall * cores);
  return { sec: wall / n, others };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const addons = addonFiles.map((file) => ({ file, name: path.basename(file), k: require(path.resolve(file)) }));
const probeAddon = addons.find((a) => a.k.matmul);

// The sgemm probe: matmul on square sizes; the best median GFLOP/s per thread count is the rate.
const PROBE_SIZES = [1024, 1536];
const probes = PROBE_SIZES.map((n) => {
  const next = rng(n);
  return { n, args: { m: n, n, k: n, a: uniform(n * n, 1, next), b: uniform(n * n, 1, next) }, flops: 2 * n * n * n };
});

const calls = Object.fromEntries(shapeNames.map((s) => [s, makeCall(SHAPES[s])]));
const samples = {}; // key -> seconds per call[]
const push = (key, v) => (samples[key] ??= []).push(v);

const count = (key) => (samples[key] ?? []).length;
const started = Date.now();
let skipped = 0;
// Times fn into samples[key], keeping only quiet samples when --quiet is given.
function measure(key, fn) {
  if (quiet !== null && count(key) >= rounds) return;
  const { sec, others } = timeOnce(fn);
  if (quiet === null || others * 100 < quiet) push(key, sec);
  else skipped++;
}
for (let r = 0; ; r++) {
  for (const threads of threadCounts) {
    if (probeAddon) {
      probeAddon.k.setThreads(threads);
      for (const p of probes) measure(`probe/${p.n}/${threads}`, () => probeAddon.k.matmul(p.args));
    }
    for (const s of shapeNames) {
      for (const a of addons) {
        a.k.setThreads(threads);
        measure(`${s}/${a.name}/${threads}`, runner(a.k, calls[s]));
      }
    }
  }
  process.stderr.write(`round ${r + 1}${quiet === null ? `/${rounds}` : `, ${skipped} busy samples skipped`}\n`);
  if (quiet === null ? r + 1 >= rounds : Object.keys(samples).length > 0 && Object.values(samples).every((v) => v.length >= rounds)) break;
  if (quiet !== null && Date.now() - started > maxMinutes * 60e3) break;
}
// Keys with no quiet sample at all get one (busy) sample, so that the table is complete.
for (const key of [...probes.flatMap((p) => threadCounts.map((t) => `probe/${p.n}/${t}`)), ...shapeNames.flatMap((s) => addons.flatMap((a) => threadCounts.map((t) => `${s}/${a.name}/${t}`)))]) {
  if (count(key) === 0) {
    const [s, name, t] = key.split('/');
    const a = s === 'probe' ? probeAddon : addons.find((x) => x.name === name);
    if (!a) continue;
    a.k.setThreads(Number(t));
    push(key, timeOnce(s === 'probe' ? () => a.k.matmul(probes.find((p) => String(p.n) === name).args) : runner(a.k, calls[s])).sec);
  }
}

const rate = {};
for (const threads of threadCounts) {
  rate[threads] = Math.max(0, ...probes.map((p) => (samples[`probe/${p.n}/${threads}`] ? p.flops / median(samples[`probe/${p.n}/${threads}`]) / 1e9 : 0)));
}
const limitRate = rate[2] ?? Math.max(...Object.values(rate));
console.log(`sgemm probe (matmul, ${PROBE_SIZES.join('/')}^3, best median): ` +
  threadCounts.map((t) => `${t} thread(s) ${rate[t].toFixed(1)} GFLOP/s`).join(', ') +
  `; limit rate ${limitRate.toFixed(1)} GFLOP/s`);
console.log(`medians of ${rounds} rounds of >= ${budgetMs} ms each, interleaved; best = the fastest round` +
  (quiet === null ? '' : `; only samples with other processes under ${quiet} % of the machine (${skipped} busy samples skipped)`) + '\n');
const pad = (v, n) => String(v).padStart(n);
console.log(`${'shape'.padEnd(5)} ${'addon'.padEnd(16)} thr ${pad('ms/call', 9)} ${pad('seq/s', 9)} ${pad('GFLOP/s', 8)} ${pad('% limit', 8)} ${pad('2t/1t', 6)} ${pad('best ms', 9)} ${pad('best GF/s', 9)}`);
for (const s of shapeNames) {
  for (const a of addons) {
    for (const threads of threadCounts) {
      const sec = median(samples[`${s}/${a.name}/${threads}`]);
      const best = Math.min(...samples[`${s}/${a.name}/${threads}`]);
      const gflops = calls[s].flops / sec / 1e9;
      const one = samples[`${s}/${a.name}/1`];
      const ratio = threads !== 1 && one ? (median(one) / sec).toFixed(2) : '';
      console.log(`${s.padEnd(5)} ${a.name.padEnd(16)} ${pad(threads, 3)} ${pad((sec * 1e3).toFixed(3), 9)} ${pad(Math.round(calls[s].batch / sec), 9)} ` +
        `${pad(gflops.toFixed(1), 8)} ${pad(((100 * gflops) / limitRate).toFixed(1), 8)} ${pad(ratio, 6)} ` +
        `${pad((best * 1e3).toFixed(3), 9)} ${pad((calls[s].flops / best / 1e9).toFixed(1), 9)}`);
    }
  }
}
