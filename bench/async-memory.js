// @ts-check
// The "async and memory" section of the bench: issue 3's targets for predictAsync and memory,
// measured on the public API (Sequential, LSTM, SimpleRNN, backend()) on the native backend:
//   a. the event loop during back-to-back S2 predictAsync calls (LSTM 256, input 128, 100 steps,
//      batch 64) for >= 2 s: perf_hooks.monitorEventLoopDelay({ resolution: 1 }) p50 / p99 / max,
//      with a 1 ms setInterval ticking; the same monitor on the idle loop first, for reference.
//   b. 64 concurrent predictAsync calls (Promise.all) of S2's LSTM on batch 8, a distinct input
//      each: every result against the synchronous predict of its input (the kernels are
//      deterministic: equal bit for bit), the wall time against 64 sequential awaits, and the
//      process's threads (/proc/self/task) during the concurrent calls, next to the pool size and
//      libuv's (UV_THREADPOOL_SIZE), sampled in one more round of concurrent calls (not timed).
//   c. 100k synchronous predict calls of S1a (SimpleRNN 128, input 100, 30 steps, batch 1): RSS
//      and heapUsed after a 2k-call warm-up and at the end (global.gc is not used).
// It runs in a fresh child process (this file, run with --child), so that its thread count and
// its memory are its own, not those of the shapes, the peers and the buffers of the run before.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { monitorEventLoopDelay } = require('perf_hooks');

/** The thread ids of this process, null where /proc is not there. @returns {number[] | null} */
function threadIds() {
  try {
    return fs.readdirSync('/proc/self/task').map(Number);
  } catch {
    return null;
  }
}

/** Thread ids seen at the process's start (before rnnkit loads) and before the first predictAsync (see Origin). */
const seen = { start: new Set(threadIds() ?? []), beforeAsync: /** @type {Set<number>} */ (new Set()) };

const { nowSeconds, median } = require('./measure');
const { randomData, maxAbsDiff } = require('./workload'); // loads ../lib, not yet the addon

/**
 * @typedef {object} Delay  event-loop delay from monitorEventLoopDelay, in ms (each sample is the
 *   whole interval between two of its 1 ms timer checks, so an idle loop reads about 1.1)
 * @property {number} p50
 * @property {number} p99
 * @property {number} max
 * @property {number} mean
 * @property {number} samples
 *
 * @typedef {object} EventLoopResult
 * @property {string} model          the shape it runs
 * @property {number} batch
 * @property {number} calls          predictAsync calls, back to back
 * @property {number} seconds
 * @property {number} msPerCall
 * @property {Delay} delay           during the calls
 * @property {number} ticks          of a setInterval(…, 1) during the calls
 * @property {Delay} idle            the same monitor with nothing running, just before
 * @property {number} idleSeconds
 * @property {number} targetP99Ms    issue 3: p99 under 5 ms
 * @property {boolean} met
 *
 * @typedef {'node' | 'rnnkit' | 'libuv'} Origin  when a thread appeared: there at the process's
 *   start (node's: V8's platform workers, ...), started by loading rnnkit and its first predict
 *   calls (rnnkit's pool, OpenBLAS's own), started by the first predictAsync (libuv's pool)
 *
 * @typedef {object} ThreadCounts  from /proc/self/task, sampled every ms during one more (untimed) round of the concurrent calls
 * @property {number} before         threads of the process just before (the pool's and libuv's already started)
 * @property {number} peak           most threads seen during the calls
 * @property {Record<Origin, number>} byOrigin  threads at the end, the main thread not counted
 * @property {number} runnablePeak   most threads in state R (running or waiting for a core) at once, the main thread not counted
 * @property {number} runnableMean
 * @property {Record<Origin, number>} runnableMeanByOrigin
 * @property {number} samples
 *
 * @typedef {object} ConcurrentResult
 * @property {string} model
 * @property {number} calls          concurrent predictAsync calls (Promise.all)
 * @property {number} batch          per call
 * @property {number} rounds         timed, each the calls at once, then the same calls awaited one by one
 * @property {number} compared       results compared with the synchronous predict of the same input
 * @property {number} differing      of those, how many differ at all
 * @property {number} maxAbsDiff
 * @property {number} concurrentMs   wall time of the 64 concurrent calls, median over the rounds
 * @property {number} sequentialMs   wall time of the 64 sequential awaits, median over the rounds
 * @property {number} speedup        sequentialMs / concurrentMs
 * @property {ThreadCounts | null} threads  null where /proc/self/task is not readable
 *
 * @typedef {object} MemoryResult
 * @property {string} model
 * @property {number} batch
 * @property {number} warmupCalls
 * @property {number} calls           after the warm-up
 * @property {number} seconds         of those calls
 * @property {number} usPerCall
 * @property {number} rssWarmMB       after the warm-up
 * @property {number} rssEndMB        after the calls
 * @property {number} rssMaxMB        largest of the samples taken every 10k calls
 * @property {number} rssChangePct    100 * (end - warm) / warm
 * @property {number} heapWarmMB      heapUsed after the warm-up
 * @property {number} heapEndMB
 * @property {number} heapChangePct
 * @property {number} targetPct       issue 3: RSS flat within 5 %
 * @property {boolean} met
 *
 * @typedef {object} AsyncMemory
 * @property {boolean} available
 * @property {string | null} reason   why not
 * @property {boolean} quick          shortened (--quick): fewer calls, not the issue's figures
 * @property {number} seconds         the section's wall time, child process included
 * @property {string | null} backend  the public API's backend in the child ('native')
 * @property {number | null} poolThreads       rnnkit's pool size: backend().threads (getThreads())
 * @property {number | null} uvThreadpoolSize  libuv's pool, where predictAsync calls run
 * @property {number | null} cores
 * @property {boolean} uvThreadpoolSizeSet     UV_THREADPOOL_SIZE was set (else libuv's default, 4)
 * @property {EventLoopResult | null} eventLoop
 * @property {ConcurrentResult | null} concurrent
 * @property {MemoryResult | null} memory
 */

const SEED = 1234;
const MB = 1024 * 1024;
const EVENT_LOOP_TARGET_MS = 5;
const RSS_TARGET_PCT = 5;

/** How long each part runs; --quick shortens every part (a smoke test). @param {boolean} quick */
function plan(quick) {
  return quick
    ? { idleSeconds: 0.2, eventLoopSeconds: 0.5, concurrentCalls: 64, concurrentBatch: 8, rounds: 1, memoryWarmup: 500, memoryCalls: 10_000 }
    : { idleSeconds: 0.5, eventLoopSeconds: 2, concurrentCalls: 64, concurrentBatch: 8, rounds: 3, memoryWarmup: 2_000, memoryCalls: 100_000 };
}

/** @param {AsyncMemory['reason']} reason @param {boolean} quick @param {number} seconds @returns {AsyncMemory} */
function unavailable(reason, quick, seconds = 0) {
  return { available: false, reason, quick, seconds, backend: null, poolThreads: null, uvThreadpoolSize: null, uvThreadpoolSizeSet: false, cores: null, eventLoop: null, concurrent: null, memory: null };
}

// --- the parent: runs this file as a child --------------------------------------------------

/**
 * Runs the section in a fresh Node process on the native backend and returns its figures.
 * @param {{ quick: boolean, nativeLoaded: boolean, progress: (line: string) => void }} o
 * @returns {AsyncMemory}
 */
function runAsyncMemory(o) {
  if (!o.nativeLoaded) return unavailable('the native addon did not load (the section measures the native backend)', o.quick);
  const started = nowSeconds();
  o.progress(`async and memory: a fresh process${o.quick ? ' (--quick: shortened)' : ''}`);
  const r = spawnSync(process.execPath, [__filename, '--child', ...(o.quick ? ['--quick'] : [])], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, RNNKIT_BACKEND: 'native' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'], // its progress lines go straight to stderr
    timeout: 300_000,
    maxBuffer: 16 * MB,
  });
  const seconds = nowSeconds() - started;
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
    return unavailable(`the section's process failed (${why})`, o.quick, seconds);
  }
  try {
    /** @type {AsyncMemory} */
    const result = JSON.parse(r.stdout);
    return { ...result, seconds };
  } catch (err) {
    return unavailable(`the section's process printed no JSON (${/** @type {Error} */ (err).message})`, o.quick, seconds);
  }
}

// --- the child: the measurements ------------------------------------------------------------

/** @param {import('perf_hooks').IntervalHistogram} h @returns {Delay} */
function delayOf(h) {
  const ms = (/** @type {number} */ ns) => ns / 1e6;
  const samples = h.count;
  return samples === 0
    ? { p50: 0, p99: 0, max: 0, mean: 0, samples }
    : { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean), samples };
}

/**
 * Runs body while monitorEventLoopDelay (1 ms resolution) and a 1 ms setInterval watch the loop.
 * @template T @param {() => Promise<T>} body
 * @returns {Promise<{ value: T, delay: Delay, ticks: number, seconds: number }>}
 */
async function watchingTheLoop(body) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  h.enable();
  const start = nowSeconds();
  try {
    const value = await body();
    return { value, delay: delayOf(h), ticks, seconds: nowSeconds() - start };
  } finally {
    h.disable();
    clearInterval(timer);
  }
}

/** @param {number} seconds */
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** @param {number} tid @returns {Origin} */
function originOf(tid) {
  return seen.start.has(tid) ? 'node' : seen.beforeAsync.has(tid) ? 'rnnkit' : 'libuv';
}

/** @returns {Record<Origin, number>} */
const byOrigin = () => ({ node: 0, rnnkit: 0, libuv: 0 });

/**
 * The threads of this process now: how many, and which are runnable (state R: running or waiting
 * for a core), the calling (main) thread not counted. Null where /proc is not there.
 * @returns {{ total: number, runnable: number[], others: number[] } | null}
 */
function threadSample() {
  const tids = threadIds();
  if (!tids) return null;
  /** @type {number[]} */
  const runnable = [];
  const others = tids.filter((tid) => tid !== process.pid);
  for (const tid of others) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')'); // the name, in parentheses, may hold spaces
      if (stat.charAt(close + 2) === 'R') runnable.push(tid);
    } catch {
      // the thread ended meanwhile
    }
  }
  return { total: tids.length, runnable, others };
}

/**
 * a. Back-to-back predictAsync calls of a long batch while the loop is watched.
 * @param {any} model @param {any} x @param {{ idleSeconds: number, eventLoopSeconds: number }} p @param {string} name
 * @returns {Promise<EventLoopResult>}
 */
async function eventLoop(model, x, p, name) {
  model.predict(x); // warm-up: the layer's packed weights, the pool
  seen.beforeAsync = new Set(threadIds() ?? []);
  await model.predictAsync(x); // warm-up: libuv's threads
  const idle = await watchingTheLoop(() => sleep(p.idleSeconds));
  const busy = await watchingTheLoop(async () => {
    let calls = 0;
    const start = nowSeconds();
    do {
      await model.predictAsync(x);
      calls++;
    } while (nowSeconds() - start < p.eventLoopSeconds);
    return calls;
  });
  return {
    model: name,
    batch: x.shape[0],
    calls: busy.value,
    seconds: busy.seconds,
    msPerCall: (busy.seconds * 1000) / busy.value,
    delay: busy.delay,
    ticks: busy.ticks,
    idle: idle.delay,
    idleSeconds: idle.seconds,
    targetP99Ms: EVENT_LOOP_TARGET_MS,
    met: busy.delay.samples > 0 && busy.delay.p99 < EVENT_LOOP_TARGET_MS,
  };
}

/**
 * b. Many predictAsync calls at once against the same calls one by one, and against predict.
 * @param {any} rnnkit @param {any} model @param {{ concurrentCalls: number, concurrentBatch: number, rounds: number }} p @param {string} name
 * @returns {Promise<ConcurrentResult>}
 */
async function concurrent(rnnkit, model, p, name) {
  const [T, D] = model.inputShape.slice(1);
  const B = p.concurrentBatch;
  const inputs = Array.from({ length: p.concurrentCalls }, (_, i) => rnnkit.tensor(randomData(B * T * D, SEED + 100 + i), [B, T, D]));
  /** @type {Float32Array[]} */
  const reference = inputs.map((x) => model.predict(x).data);
  await Promise.all(inputs.slice(0, 8).map((x) => model.predictAsync(x))); // warm-up: every libuv thread started
  let compared = 0;
  let differing = 0;
  let worst = 0;
  /** @param {any[]} outs */
  const check = (outs) => {
    outs.forEach((y, i) => {
      const d = maxAbsDiff(y.data, reference[i]);
      compared++;
      if (d !== 0) differing++;
      worst = Math.max(worst, d);
    });
  };

  const first = threadSample();
  /** @type {ThreadCounts | null} */
  const threads = first
    ? { before: first.total, peak: first.total, byOrigin: byOrigin(), runnablePeak: 0, runnableMean: 0, runnableMeanByOrigin: byOrigin(), samples: 0 }
    : null;
  let runnableSum = 0;
  const runnableSumBy = byOrigin();
  const sample = () => {
    const s = threadSample();
    if (!s || !threads) return;
    threads.peak = Math.max(threads.peak, s.total);
    threads.runnablePeak = Math.max(threads.runnablePeak, s.runnable.length);
    runnableSum += s.runnable.length;
    for (const tid of s.runnable) runnableSumBy[originOf(tid)]++;
    threads.samples++;
  };

  /** @type {number[]} */
  const concurrentMs = [];
  /** @type {number[]} */
  const sequentialMs = [];
  for (let round = 0; round < p.rounds; round++) {
    let start = nowSeconds();
    const together = await Promise.all(inputs.map((x) => model.predictAsync(x)));
    concurrentMs.push((nowSeconds() - start) * 1000);
    check(together);

    start = nowSeconds();
    const oneByOne = [];
    for (const x of inputs) oneByOne.push(await model.predictAsync(x));
    sequentialMs.push((nowSeconds() - start) * 1000);
    check(oneByOne);
  }
  // The threads, in a concurrent round of their own: sampling costs the main thread about 0.2 ms a
  // time, which would slow the timed rounds.
  const sampler = setInterval(sample, 1);
  try {
    check(await Promise.all(inputs.map((x) => model.predictAsync(x))));
  } finally {
    clearInterval(sampler);
  }
  const last = threadSample();
  if (threads && last) for (const tid of last.others) threads.byOrigin[originOf(tid)]++;
  if (threads && threads.samples > 0) {
    threads.runnableMean = runnableSum / threads.samples;
    for (const k of /** @type {Origin[]} */ (['node', 'rnnkit', 'libuv'])) threads.runnableMeanByOrigin[k] = runnableSumBy[k] / threads.samples;
  }
  const c = median(concurrentMs);
  const s = median(sequentialMs);
  return {
    model: name,
    calls: p.concurrentCalls,
    batch: B,
    rounds: p.rounds,
    compared,
    differing,
    maxAbsDiff: worst,
    concurrentMs: c,
    sequentialMs: s,
    speedup: s / c,
    threads,
  };
}

/**
 * c. Many synchronous predict calls of a small model (the same input tensor each call; each call
 * makes its output): RSS and heapUsed after the warm-up and at the end.
 * @param {any} model @param {any} x @param {{ memoryWarmup: number, memoryCalls: number }} p @param {string} name
 * @param {(line: string) => void} progress
 * @returns {MemoryResult}
 */
function memory(model, x, p, name, progress) {
  for (let i = 0; i < p.memoryWarmup; i++) model.predict(x);
  const warm = process.memoryUsage();
  let rssMax = warm.rss;
  const every = Math.min(10_000, p.memoryCalls);
  const start = nowSeconds();
  for (let i = 1; i <= p.memoryCalls; i++) {
    model.predict(x);
    if (i % every === 0) {
      rssMax = Math.max(rssMax, process.memoryUsage.rss());
      if (i % (every * 5) === 0 && i < p.memoryCalls) progress(`async and memory: ${i.toLocaleString('en-US')} predict calls, RSS ${(process.memoryUsage.rss() / MB).toFixed(1)} MB`);
    }
  }
  const seconds = nowSeconds() - start;
  const end = process.memoryUsage();
  rssMax = Math.max(rssMax, end.rss);
  const rssChangePct = (100 * (end.rss - warm.rss)) / warm.rss;
  return {
    model: name,
    batch: x.shape[0],
    warmupCalls: p.memoryWarmup,
    calls: p.memoryCalls,
    seconds,
    usPerCall: (seconds * 1e6) / p.memoryCalls,
    rssWarmMB: warm.rss / MB,
    rssEndMB: end.rss / MB,
    rssMaxMB: rssMax / MB,
    rssChangePct,
    heapWarmMB: warm.heapUsed / MB,
    heapEndMB: end.heapUsed / MB,
    heapChangePct: (100 * (end.heapUsed - warm.heapUsed)) / warm.heapUsed,
    targetPct: RSS_TARGET_PCT,
    met: Math.abs(rssChangePct) <= RSS_TARGET_PCT,
  };
}

/** The child's work: every part in a fresh process. @param {boolean} quick @returns {Promise<AsyncMemory>} */
async function measureAll(quick) {
  const progress = (/** @type {string} */ line) => process.stderr.write(`bench: ${line}\n`);
  const rnnkit = require('../lib/index.js');
  const { SHAPES, describeShape } = require('./shapes');
  const info = rnnkit.backend();
  if (info.name !== 'native') return unavailable(`the public API runs on ${info.name} (${info.reason})`, quick);
  const p = plan(quick);
  const byId = (/** @type {string} */ id) => /** @type {import('./shapes').Shape} */ (SHAPES.find((s) => s.id === id));
  const s1a = byId('S1a');
  const s2 = byId('S2');
  const uv = process.env.UV_THREADPOOL_SIZE;

  // c first, while the process holds nothing but the package: the RSS it reads is the model's.
  progress(`async and memory: ${p.memoryCalls.toLocaleString('en-US')} predict calls of S1a after ${p.memoryWarmup.toLocaleString('en-US')} to warm up`);
  const small = new rnnkit.Sequential([new rnnkit.SimpleRNN(s1a.units, { inputShape: [s1a.timesteps, s1a.inputDim], seed: SEED })]);
  const x1 = rnnkit.tensor(randomData(s1a.batch * s1a.timesteps * s1a.inputDim, SEED + 1), [s1a.batch, s1a.timesteps, s1a.inputDim]);
  const mem = memory(small, x1, p, `S1a: ${describeShape(s1a)}`, progress);

  const big = new rnnkit.Sequential([new rnnkit.LSTM(s2.units, { inputShape: [s2.timesteps, s2.inputDim], seed: SEED })]);
  progress(`async and memory: S2 predictAsync back to back for ${p.eventLoopSeconds} s, the event loop watched`);
  const x2 = rnnkit.tensor(randomData(s2.batch * s2.timesteps * s2.inputDim, SEED + 1), [s2.batch, s2.timesteps, s2.inputDim]);
  const loop = await eventLoop(big, x2, p, `S2: ${describeShape(s2)}`);

  progress(`async and memory: ${p.concurrentCalls} concurrent predictAsync calls of S2's LSTM on batch ${p.concurrentBatch}, ${p.rounds} round${p.rounds > 1 ? 's' : ''}`);
  const conc = await concurrent(rnnkit, big, p, `S2's LSTM (units ${s2.units}, input ${s2.inputDim}, ${s2.timesteps} steps)`);

  return {
    available: true,
    reason: null,
    quick,
    seconds: 0,
    backend: info.name,
    poolThreads: rnnkit.backend().threads,
    uvThreadpoolSize: uv !== undefined && Number(uv) > 0 ? Math.min(1024, Math.floor(Number(uv))) : 4,
    uvThreadpoolSizeSet: uv !== undefined,
    cores: os.cpus().length,
    eventLoop: loop,
    concurrent: conc,
    memory: mem,
  };
}

if (require.main === module && process.argv[2] === '--child') {
  measureAll(process.argv.includes('--quick')).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0)),
    (err) => {
      process.stderr.write(`bench: async and memory: ${err && err.stack ? err.stack : err}\n`);
      process.exit(1);
    },
  );
}

module.exports = { runAsyncMemory, plan, threadSample };
