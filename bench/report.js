// @ts-check
// Renders a bench run: the console table, the Markdown file (commit-friendly) and the JSON.
'use strict';

const path = require('path');

/**
 * @typedef {import('./results').Row} Row
 * @typedef {import('./results').ShapeResult} ShapeResult
 * @typedef {import('./probe').Probe} Probe
 * @typedef {import('./sysinfo').SysInfo} SysInfo
 *
 * @typedef {object} Run
 * @property {object} meta
 * @property {SysInfo} meta.system
 * @property {string} meta.command
 * @property {{ shapes: string[], threads: number[], reps: number, minSeconds: number, budgetSeconds: number, quick: boolean, ts: boolean, peers: string[], api: boolean }} meta.options
 * @property {{ loaded: boolean, file: string | null, reason: string | null, matmul: boolean, rnnForwardMany: boolean }} meta.native
 * @property {Probe} meta.probe
 * @property {{ source: 'probe' | '--limit-gflops' | null, gflops: Record<string, number> }} meta.limits
 * @property {{ used: { name: string, version: string }[], missing: { name: string, reason: string }[] }} meta.peers
 * @property {string[]} meta.notes
 * @property {number} meta.totalSeconds
 * @property {ShapeResult[]} shapes
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
  const { probe, limits } = run.meta;
  const figures = Object.entries(limits.gflops)
    .map(([t, g]) => `${t} thread${t === '1' ? '' : 's'} ${g.toFixed(1)} GFLOP/s`)
    .join(', ');
  if (limits.source === 'probe') {
    const sizes = [...new Set(probe.runs.map((r) => `${r.size}^3`))].join(' and ');
    return `sgemm probe (native matmul, ${sizes}, best sustained): ${figures}`;
  }
  if (limits.source === '--limit-gflops') return `sgemm limit given with --limit-gflops: ${figures} (${probe.available ? 'probe skipped' : `no probe: ${probe.reason}`})`;
  return `sgemm probe: not run (${probe.reason}); "% of limit" is empty`;
}

/** @param {Run} run */
function headerLines(run) {
  const { system: sys, options: o, native } = run.meta;
  const lines = [
    `machine: ${sys.cpu}, ${sys.cores} cores${sys.simd.length ? ` (${sys.simd.join(' ')})` : ''}, ${sys.platform}`,
    `node ${sys.node}; ${sys.openblas ?? 'OpenBLAS: not found'}; rnnkit ${sys.rnnkit}${sys.commit ? ` (${sys.commit})` : ''}; ${sys.date}`,
    `native: ${native.loaded && native.file ? path.relative(path.resolve(__dirname, '..'), native.file) : `not loaded (${native.reason})`}`,
    probeLine(run),
    `timing: ${o.reps} repetition${o.reps > 1 ? 's' : ''} of >= ${o.minSeconds} s per configuration, interleaved, at most ${o.budgetSeconds} s measured per configuration; ms per batch = elapsed / batches; median (min-max) over the repetitions${o.quick ? ' [--quick: a smoke test, not a measurement]' : ''}`,
  ];
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

/** The console report. @param {Run} run */
function renderText(run) {
  return [
    ...headerLines(run),
    '',
    ...shapeLines(run),
    '',
    textTable(mainTable(run)),
    '',
    'per shape:',
    textTable(summaryTable(run)),
    '',
    ...noteLines(run),
    '',
  ].join('\n');
}

/** bench.md. @param {Run} run */
function renderMarkdown(run) {
  const bullet = (/** @type {string} */ l) => `- ${l}`;
  return [
    `# rnnkit bench, ${run.meta.system.date.slice(0, 10)}`,
    '',
    ...headerLines(run).map(bullet),
    `- command: \`${run.meta.command}\``,
    '',
    ...shapeLines(run).map(bullet),
    '',
    markdownTable(mainTable(run)),
    '',
    '## Per shape',
    '',
    markdownTable(summaryTable(run)),
    '',
    '## Notes',
    '',
    ...noteLines(run).map(bullet),
    '',
    'Columns: ms/batch is one call on the whole batch; seq/s = batch / ms; GFLOP/s = 2*B*T*(D+H)*g*H (x2 bidirectional) / time;',
    '% of limit = GFLOP/s / the sgemm probe at the same thread count (ts and tfjs: 1 thread); native/ts = ts time / native time on',
    'the native row with the most threads; 2t/1t = 1-thread time / 2-thread time; native/peer = peer time / fastest native time.',
    '',
  ].join('\n');
}

/** bench.json. @param {Run} run */
function renderJson(run) {
  return `${JSON.stringify(run, null, 2)}\n`;
}

module.exports = { renderText, renderMarkdown, renderJson };
