// @ts-check
// From measurements to the figures of the table: sequences/s, GFLOP/s, % of the sgemm limit and
// the ratios (native / TS, 2 threads / 1 thread, native / peer), and a per-shape summary.
//
// The limit (issue 3) is the machine's: a shape's FLOPs divided by the best sustained sgemm rate,
// the best over the probe's thread counts (on 2 cores normally the 2-thread probe), so a row's
// % of limit is its GFLOP/s over that one rate, at whatever thread count the row runs: a 1-thread
// row is a share of the whole machine, not of one core.
'use strict';

const { flops, describeShape } = require('./shapes');

/**
 * @typedef {import('./shapes').Shape} Shape
 * @typedef {import('./measure').Measurement} Measurement
 *
 * @typedef {'native' | 'ts' | 'api' | 'peer'} Kind
 *
 * @typedef {object} Row
 * @property {string} shape
 * @property {string} config       'native 1t', 'native 2t', 'ts', 'api native 2t', 'tfjs-wasm', 'onnxruntime 2t'
 * @property {Kind} kind
 * @property {number} threads
 * @property {number} msMedian     ms per batch, median over the repetitions
 * @property {number} msMin
 * @property {number} msMax
 * @property {number[]} msPerBatch each repetition
 * @property {number[]} batches    batches per repetition
 * @property {number} reps         repetitions (fewer than asked when over the budget)
 * @property {boolean} warmupOnly  the figure is the warm-up call (a batch longer than the budget)
 * @property {number} seqPerSec    batch / median seconds
 * @property {number} gflops       FLOPs / median seconds
 * @property {number | null} limitPct     100 * gflops / the limit (the best probe figure over the thread counts)
 * @property {number | null} nativeOverTs on the native row with the most threads: ts ms / native ms
 * @property {number | null} vsOneThread on native rows with more than 1 thread: 1-thread ms / this ms
 * @property {number | null} nativeOverPeer on peer rows: this ms / the fastest native row's ms
 * @property {number | null} maxAbsDiff   largest difference of the output from the reference (native, else ts)
 * @property {string} [note]
 *
 * @typedef {object} Summary
 * @property {string | null} nativeConfig  the fastest native row
 * @property {number | null} nativeSeqPerSec
 * @property {number | null} nativeLimitPct
 * @property {number | null} nativeOverTs   ts ms / fastest native ms
 * @property {number | null} vsOneThread    of the native row with the most threads
 * @property {string | null} bestPeer
 * @property {number | null} bestPeerSeqPerSec
 * @property {number | null} nativeOverBestPeer
 *
 * @typedef {object} Limit  the one sgemm limit every row's % of limit refers to
 * @property {number} gflops    the best sustained GFLOP/s over the thread counts
 * @property {number} threads   the thread count it came from
 *
 * @typedef {object} ShapeResult
 * @property {string} id
 * @property {string} description
 * @property {number} flops        per batch
 * @property {number} batch
 * @property {Row[]} rows
 * @property {Summary} summary
 * @property {string[]} notes
 */

/**
 * The limit from the sgemm figures by thread count (probed, or given with --limit-gflops): the
 * largest of them; null when there are none. Ties go to the fewest threads.
 * @param {Record<string, number>} byThreads GFLOP/s by thread count
 * @returns {Limit | null}
 */
function bestLimit(byThreads) {
  /** @type {Limit | null} */
  let best = null;
  for (const [t, g] of Object.entries(byThreads)) {
    const threads = Number(t);
    if (!(g > 0)) continue;
    if (best === null || g > best.gflops || (g === best.gflops && threads < best.threads)) best = { gflops: g, threads };
  }
  return best;
}

/**
 * @param {Shape} s
 * @param {{ config: string, kind: Kind, threads: number, note?: string }} c
 * @param {Measurement} m
 * @param {number | null} limit the machine's limit in GFLOP/s (bestLimit), null when unknown
 * @param {number | null} maxAbsDiff
 * @returns {Row}
 */
function makeRow(s, c, m, limit, maxAbsDiff) {
  const seconds = m.median / 1000;
  const gflops = flops(s) / seconds / 1e9;
  /** @type {Row} */
  const row = {
    shape: s.id,
    config: c.config,
    kind: c.kind,
    threads: c.threads,
    msMedian: m.median,
    msMin: m.min,
    msMax: m.max,
    msPerBatch: m.msPerBatch,
    batches: m.batches,
    reps: m.reps,
    warmupOnly: m.warmupOnly,
    seqPerSec: s.batch / seconds,
    gflops,
    limitPct: limit ? (100 * gflops) / limit : null,
    nativeOverTs: null,
    vsOneThread: null,
    nativeOverPeer: null,
    maxAbsDiff,
  };
  if (c.note) row.note = c.note;
  return row;
}

/** @param {Row[]} rows */
function fastest(rows) {
  return rows.reduce((/** @type {Row | null} */ best, r) => (best === null || r.msMedian < best.msMedian ? r : best), null);
}

/** Fills in the ratio columns and returns the shape's summary. @param {Row[]} rows @returns {Summary} */
function addRatios(rows) {
  const native = rows.filter((r) => r.kind === 'native');
  const ts = rows.find((r) => r.kind === 'ts') ?? null;
  const one = native.find((r) => r.threads === 1) ?? null;
  const top = native.reduce((/** @type {Row | null} */ t, r) => (t === null || r.threads > t.threads ? r : t), null);
  const best = fastest(native);
  if (top && ts) top.nativeOverTs = ts.msMedian / top.msMedian;
  if (one) for (const r of native) if (r.threads > 1) r.vsOneThread = one.msMedian / r.msMedian;
  const peers = rows.filter((r) => r.kind === 'peer');
  if (best) for (const p of peers) p.nativeOverPeer = p.msMedian / best.msMedian;
  const bestPeer = fastest(peers);
  return {
    nativeConfig: best ? best.config : null,
    nativeSeqPerSec: best ? best.seqPerSec : null,
    nativeLimitPct: best ? best.limitPct : null,
    nativeOverTs: best && ts ? ts.msMedian / best.msMedian : null,
    vsOneThread: top ? top.vsOneThread : null,
    bestPeer: bestPeer ? bestPeer.config : null,
    bestPeerSeqPerSec: bestPeer ? bestPeer.seqPerSec : null,
    nativeOverBestPeer: best && bestPeer ? bestPeer.msMedian / best.msMedian : null,
  };
}

/** @param {Shape} s @param {Row[]} rows @param {string[]} notes @returns {ShapeResult} */
function shapeResult(s, rows, notes) {
  const summary = addRatios(rows);
  return { id: s.id, description: describeShape(s), flops: flops(s), batch: s.batch, rows, summary, notes };
}

module.exports = { bestLimit, makeRow, shapeResult };
