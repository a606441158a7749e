// @ts-check
// Renders a bench run: the console tables, the Markdown file (commit-friendly) and the JSON.
'use strict';

const path = require('path');

/**
 * @typedef {import('./results').Row} Row
 * @typedef {import('./results').ShapeResult} ShapeResult
 * @typedef {import('./probe').Probe} Probe
 * @typedef {import('./sysinfo').SysInfo} SysInfo
 * @typedef {import('./async-memory').AsyncMemory} AsyncMemory
 *
 * @typedef {object} LimitInfo  the sgemm limit every row's % of limit refers to
 * @property {'probe' | '--limit-gflops' | null} source
 * @property {number | null} gflops     the limit: the best (largest) of byThreads; null when there is none
 * @property {number | null} threads    the thread count of that figure
 * @property {Record<string, number>} byThreads  each thread count's figure, probed or given
 *
 * @typedef {object} Run
 * @property {object} meta
 * @property {SysInfo} meta.system
 * @property {string} meta.command
 * @property {{ shapes: string[], threads: number[], reps: number, minSeconds: number, budgetSeconds: number, quick: boolean, ts: boolean, peers: string[], api: boolean, async: boolean, onlyAsync: boolean }} meta.options
 * @property {{ loaded: boolean, file: string | null, reason: string | null, matmul: boolean, rnnForwardMany: boolean }} meta.native
 * @property {Probe} meta.probe
 * @property {LimitInfo} meta.limit
 * @property {{ used: { name: string, version: string }[], missing: { name: string, reason: string }[] }} meta.peers
 * @property {string[]} meta.notes
 * @property {number} meta.totalSeconds
 * @property {ShapeResult[]} shapes
 * @property {AsyncMemory | null} async  the async and memory section; null with --no-async
 */

// --- number formats -----------------------------------------------------------------------------

/** @param {number} v */
function ms(v) {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** @param {number | null} v */
function count(v) {
  if (v === null) return '';
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** @param {number | null} v */
function pct(v) {
  return v === null ? '' : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} %`;
}

/** @param {number | null} v */
function ratio(v) {
  return v === null ? '' : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}x`;
}

/** @param {number} v */
function gflops(v) {
  return v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

// --- tables -------------------------------------------------------------------------------------

/** The header of the thread-ratio column: '2t/1t' for the default --threads 1,2. @param {Run} run */
function threadHeader(run) {
  const t = run.meta.options.threads;
  return t.length === 2 && t[0] === 1 ? `${t[1]}t/1t` : 'vs 1t';
}

/** @param {Run} run @returns {{ header: string[], align: ('l' | 'r')[], rows: string[][] }} */
function mainTable(run) {
  const header = ['shape', 'config', 'ms/batch median (min-max)', 'seq/s', 'GFLOP/s', '% of limit', 'native/ts', threadHeader(run), 'native/peer'];
  const align = /** @type {('l' | 'r')[]} */ (['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
  const rows = run.shapes.flatMap((s) =>
    s.rows.map((r) => [
      s.id,
      r.reps < run.meta.options.reps ? `${r.config} *` : r.config,
      `${ms(r.msMedian)} (${ms(r.msMin)}-${ms(r.msMax)})`,
      count(r.seqPerSec),
      gflops(r.gflops),
      pct(r.limitPct),
      ratio(r.nativeOverTs),
      ratio(r.vsOneThread),
      ratio(r.nativeOverPeer),
    ]),
  );
  return { header, align, rows };
}

/** @param {Run} run */
function summaryTable(run) {
  const header = ['shape', 'native (fastest)', 'seq/s', '% of limit', 'native/ts', threadHeader(run), 'best peer', 'peer seq/s', 'native/peer'];
  const align = /** @type {('l' | 'r')[]} */ (['l', 'l', 'r', 'r', 'r', 'r', 'l', 'r', 'r']);
  const rows = run.shapes.map((s) => {
    const m = s.summary;
    return [s.id, m.nativeConfig ?? '', count(m.nativeSeqPerSec), pct(m.nativeLimitPct), ratio(m.nativeOverTs), ratio(m.vsOneThread), m.bestPeer ?? '', count(m.bestPeerSeqPerSec), ratio(m.nativeOverBestPeer)];
  });
  return { header, align, rows };
}

/** @param {{ header: string[], align: ('l' | 'r')[], rows: string[][] }} t */
function textTable(t) {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  /** @param {string[]} cells */
  const line = (cells) => cells.map((c, i) => (t.align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

/** @param {{ header: string[], align: ('l' | 'r')[], rows: string[][] }} t */
function markdownTable(t) {
  /** @param {string[]} cells */
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(t.header), line(t.align.map((a) => (a === 'r' ? '---:' : '---'))), ...t.rows.map(line)].join('\n');
}

// --- the text around the tables -----------------------------------------------------------------

/** @param {Run} run */
function probeLine(run) {
  const { probe, limit } = run.meta;
  const figures = Object.entries(limit.byThreads)
    .map(([t, g]) => `${t} thread${t === '1' ? '' : 's'} ${g.toFixed(1)} GFLOP/s`)
    .join(', ');
  const best = limit.gflops !== null && limit.threads !== null ? `${limit.gflops.toFixed(1)} GFLOP/s (${limit.threads} thread${limit.threads > 1 ? 's' : ''})` : '';
  if (limit.source === 'probe') {
    const sizes = [...new Set(probe.runs.map((r) => `${r.size}^3`))].join(' and ');
    return `sgemm probe (native matmul, ${sizes}, best sustained): ${figures}; limit = the best, ${best}, for every row`;
  }
  if (limit.source === '--limit-gflops') return `sgemm figures given with --limit-gflops: ${figures}; limit = the largest, ${best}, for every row (probe skipped)`;
  return `sgemm probe: not run (${probe.reason}); "% of limit" is empty`;
}

/** @param {Run} run */
function headerLines(run) {
  const { system: sys, options: o, native } = run.meta;
  const lines = [
    `machine: ${sys.cpu}, ${sys.cores} cores${sys.simd.length ? ` (${sys.simd.join(' ')})` : ''}, ${sys.platform}`,
    `node ${sys.node}; ${sys.openblas ?? 'OpenBLAS: not found'}; rnnkit ${sys.rnnkit}${sys.commit ? ` (${sys.commit})` : ''}; ${sys.date}`,
    `native: ${native.loaded && native.file ? path.relative(path.resolve(__dirname, '..'), native.file) : `not loaded (${native.reason})`}`,
  ];
  if (!o.onlyAsync) {
    lines.push(
      probeLine(run),
      `timing: ${o.reps} repetition${o.reps > 1 ? 's' : ''} of >= ${o.minSeconds} s per configuration, interleaved, at most ${o.budgetSeconds} s measured per configuration; ms per batch = elapsed / batches; median (min-max) over the repetitions${o.quick ? ' [--quick: a smoke test, not a measurement]' : ''}`,
    );
  }
  if (Object.keys(sys.env).length) lines.push(`environment: ${Object.entries(sys.env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return lines;
}

/** @param {Run} run */
function shapeLines(run) {
  return run.shapes.map((s) => `${s.id}: ${s.description}; ${(s.flops / 1e6).toFixed(1)} MFLOP per batch`);
}

/** @param {Run} run */
function noteLines(run) {
  const { peers } = run.meta;
  const lines = [...run.meta.notes];
  if (peers.used.length) lines.push(`peers: ${peers.used.map((p) => `${p.name} ${p.version}`).join(', ')}`);
  if (peers.missing.length) lines.push(`peers skipped: ${peers.missing.map((m) => `${m.name} (${m.reason})`).join(', ')}`);
  for (const s of run.shapes) for (const n of s.notes) lines.push(`${s.id}: ${n}`);
  if (run.shapes.some((s) => s.rows.some((r) => r.reps < run.meta.options.reps))) lines.push('*: fewer repetitions than asked (see above)');
  lines.push(`total time ${run.meta.totalSeconds.toFixed(0)} s`);
  return lines;
}

// --- the async and memory section ---------------------------------------------------------------

/** @param {number} v @param {number} [digits] */
function fixed(v, digits = 2) {
  return v.toFixed(digits);
}

/** @param {number} v */
function signedPct(v) {
  return `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`;
}

/** @param {number} n */
const int = (n) => Math.round(n).toLocaleString('en-US');

/** @param {boolean} met */
const verdict = (met) => (met ? 'met' : 'NOT met');

/** What the section ran on, one line. @param {AsyncMemory} a */
function asyncSetup(a) {
  return `public API, native backend, rnnkit pool ${a.poolThreads} threads, libuv pool ${a.uvThreadpoolSize}${a.uvThreadpoolSizeSet ? ' (UV_THREADPOOL_SIZE)' : ' (default)'}, ${a.cores} cores, a fresh process, ${a.seconds.toFixed(0)} s${a.quick ? ' [--quick: shortened, not the issue\'s figures]' : ''}`;
}

/** @param {Run} run @returns {{ header: string[], align: ('l' | 'r')[], rows: string[][] } | null} */
function asyncTable(run) {
  const a = run.async;
  if (!a || !a.available) return null;
  const header = ['async and memory', 'measure', 'value', 'target'];
  const align = /** @type {('l' | 'r')[]} */ (['l', 'l', 'l', 'l']);
  /** @type {string[][]} */
  const rows = [];
  const delay = (/** @type {import('./async-memory').Delay} */ d) => `${fixed(d.p50)} / ${fixed(d.p99)} / ${fixed(d.max)} ms`;
  const e = a.eventLoop;
  if (e) {
    rows.push(
      [`event loop, S2 predictAsync batch ${e.batch}`, 'delay p50 / p99 / max', delay(e.delay), `p99 < ${e.targetP99Ms} ms: ${verdict(e.met)}`],
      ['', 'the idle loop before, same monitor', delay(e.idle), ''],
      ['', 'predictAsync calls back to back', `${int(e.calls)} in ${e.seconds.toFixed(1)} s (${ms(e.msPerCall)} ms each)`, ''],
      ['', 'ticks of a 1 ms setInterval meanwhile', int(e.ticks), ''],
    );
  }
  const c = a.concurrent;
  if (c) {
    const equal = c.compared - c.differing;
    rows.push(
      [`${c.calls} concurrent predictAsync, S2's LSTM batch ${c.batch}`, 'results = predict of the same input', `${int(equal)} of ${int(c.compared)} (max abs diff ${c.maxAbsDiff === 0 ? '0' : c.maxAbsDiff.toExponential(1)})`, `all equal: ${verdict(c.differing === 0)}`],
      ['', `wall: concurrent / ${c.calls} sequential awaits`, `${ms(c.concurrentMs)} / ${ms(c.sequentialMs)} ms (${ratio(c.speedup)})`, ''],
    );
    const t = c.threads;
    if (t) {
      const o = t.byOrigin;
      const r = t.runnableMeanByOrigin;
      rows.push(
        ['', 'threads: before / peak (node, rnnkit, libuv)', `${t.before} / ${t.peak} (${o.node}, ${o.rnnkit}, ${o.libuv})`, `pool ${a.poolThreads}, libuv ${a.uvThreadpoolSize}`],
        ['', 'runnable at once: peak / mean (rnnkit, libuv)', `${t.runnablePeak} / ${fixed(t.runnableMean, 1)} (${fixed(r.rnnkit, 1)}, ${fixed(r.libuv, 1)})`, `cores ${a.cores}, pool ${a.poolThreads}`],
      );
    }
  }
  const m = a.memory;
  if (m) {
    rows.push(
      [`memory, S1a predict batch ${m.batch} x ${int(m.calls)}`, `RSS after ${int(m.warmupCalls)} warm-up / after the calls`, `${fixed(m.rssWarmMB, 1)} / ${fixed(m.rssEndMB, 1)} MB (${signedPct(m.rssChangePct)})`, `within ${m.targetPct} %: ${verdict(m.met)}`],
      ['', 'RSS largest (every 10k calls)', `${fixed(m.rssMaxMB, 1)} MB`, ''],
      ['', 'heapUsed after warm-up / after the calls', `${fixed(m.heapWarmMB, 1)} / ${fixed(m.heapEndMB, 1)} MB (${signedPct(m.heapChangePct)})`, ''],
      ['', 'per predict call', `${m.usPerCall.toFixed(1)} us`, ''],
    );
  }
  return { header, align, rows };
}

/** How the section measures, under its table. @param {Run} run */
function asyncNotes(run) {
  const a = run.async;
  if (!a || !a.available) return [];
  return [
    'predictAsync runs on libuv\'s pool and splits its batch over rnnkit\'s pool; concurrent calls share that pool (at most getThreads() threads compute at once); the addon sets OpenBLAS to one thread (openblas_set_num_threads(1)), so OpenBLAS adds no threads inside the pool',
    'event-loop delay: perf_hooks.monitorEventLoopDelay({ resolution: 1 }), with a setInterval(…, 1) ticking; each sample is a whole interval between its 1 ms checks, so an idle loop reads about 1.1 ms',
    'threads: /proc/self/task every 1 ms during one more round of the concurrent calls (not timed: a sample costs the main thread about 0.2 ms); runnable = state R (running or waiting for a core), the main thread not counted; node = there at the start, rnnkit = started by loading rnnkit and its first calls (its pool, OpenBLAS\'s own), libuv = started by the first predictAsync',
    'memory: the same input tensor every call, each call making its output; no global.gc; RSS = process.memoryUsage().rss',
  ];
}

/** The console report. @param {Run} run */
function renderText(run) {
  const shapes = run.shapes.length ? [...shapeLines(run), '', textTable(mainTable(run)), '', 'per shape:', textTable(summaryTable(run)), ''] : [];
  const section = asyncTable(run);
  const asyncPart = section && run.async ? [`async and memory (${asyncSetup(run.async)}):`, textTable(section), ...asyncNotes(run), ''] : [];
  return [...headerLines(run), '', ...shapes, ...asyncPart, ...noteLines(run), ''].join('\n');
}

/** bench.md. @param {Run} run */
function renderMarkdown(run) {
  const bullet = (/** @type {string} */ l) => `- ${l}`;
  const shapes = run.shapes.length
    ? [...shapeLines(run).map(bullet), '', markdownTable(mainTable(run)), '', '## Per shape', '', markdownTable(summaryTable(run)), '']
    : [];
  const section = asyncTable(run);
  const asyncPart = section && run.async ? ['## Async and memory', '', `${asyncSetup(run.async)}.`, '', markdownTable(section), '', ...asyncNotes(run).map(bullet), ''] : [];
  const columns = run.shapes.length
    ? [
        'Columns: ms/batch is one call on the whole batch; seq/s = batch / ms; GFLOP/s = 2*B*T*(D+H)*g*H (x2 bidirectional) / time;',
        '% of limit = GFLOP/s / the limit, the best sustained sgemm GFLOP/s of the probe over its thread counts (the same figure for',
        'every row, whatever its threads: a 1-thread row is a share of the whole machine); native/ts = ts time / native time on',
        'the native row with the most threads; 2t/1t = 1-thread time / 2-thread time; native/peer = peer time / fastest native time.',
        '',
      ]
    : [];
  return [
    `# rnnkit bench, ${run.meta.system.date.slice(0, 10)}`,
    '',
    ...headerLines(run).map(bullet),
    `- command: \`${run.meta.command}\``,
    '',
    ...shapes,
    ...asyncPart,
    '## Notes',
    '',
    ...noteLines(run).map(bullet),
    '',
    ...columns,
  ].join('\n');
}

/** bench.json. @param {Run} run */
function renderJson(run) {
  return `${JSON.stringify(run, null, 2)}\n`;
}

module.exports = { renderText, renderMarkdown, renderJson };
