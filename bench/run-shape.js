// @ts-check
// One reference shape: its configurations (native at each thread count, the TypeScript fallback,
// optionally the public layer API, the installed peers), measured interleaved, their outputs
// checked, their rows and summary made.
'use strict';

const { makeWorkload, kernelRunner, layerOutput, maxAbsDiff } = require('./workload');
const { measureInterleaved } = require('./measure');
const { makeRow, shapeResult } = require('./results');

/**
 * @typedef {import('../lib/backend/kernels').Kernels} Kernels
 * @typedef {import('../lib/index').Tensor} Tensor
 * @typedef {import('../lib/index').BackendInfo} BackendInfo
 * @typedef {import('./shapes').Shape} Shape
 * @typedef {import('./measure').Runner} Runner
 * @typedef {import('./peers').Peer} Peer
 * @typedef {import('./peers').PeerRunner} PeerRunner
 * @typedef {import('./results').Kind} Kind
 * @typedef {import('./results').ShapeResult} ShapeResult
 * @typedef {import('./options').Options} Options
 *
 * @typedef {Runner & { config: string, kind: Kind, threads: number, note?: string, output: (first: unknown) => Float32Array | null }} Config
 *
 * @typedef {object} Context
 * @property {Options} o
 * @property {Kernels | null} native
 * @property {Kernels} tsKernels
 * @property {BackendInfo | null} api          the public API's backend, null when it cannot run
 * @property {Peer[]} peers
 * @property {number | null} limit    the sgemm limit in GFLOP/s (the best over the thread counts), null when unknown
 * @property {(line: string) => void} progress
 */

/** Outputs further apart than this from the reference are flagged in the notes. */
const TOLERANCE = 1e-4;

/** @param {Shape} s @param {Context} ctx @returns {Promise<ShapeResult>} */
async function runShape(s, ctx) {
  const { o, native, tsKernels, api, peers, limit, progress } = ctx;
  progress(`${s.id}: setting up`);
  const w = makeWorkload(s);
  /** @type {string[]} */
  const notes = [];

  /** @type {Config[]} */
  const configs = [];
  const asOutput = (/** @type {unknown} */ first) => layerOutput(s, /** @type {any} */ (first));
  if (native) {
    const run = kernelRunner(native, w.args);
    for (const t of o.threads) {
      configs.push({ name: `native ${t}t`, config: `native ${t}t`, kind: 'native', threads: t, before: () => native.setThreads(t), run, output: asOutput });
    }
  }
  if (o.ts) configs.push({ name: 'ts', config: 'ts', kind: 'ts', threads: 1, run: kernelRunner(tsKernels, w.args), output: asOutput });
  // The public layer API, on the backend it selected (RNNKIT_BACKEND, else native if it loads).
  const apply = () => /** @type {Tensor} */ (w.layer.apply(w.input));
  if (o.api && api) {
    const threads = api.name === 'native' ? o.threads[o.threads.length - 1] : 1;
    configs.push({
      name: 'api',
      config: `api ${api.name}${api.name === 'native' ? ` ${threads}t` : ''}`,
      kind: 'api',
      threads,
      before: () => require('../lib/index.js').setThreads(threads),
      run: apply,
      output: (first) => /** @type {Tensor} */ (first).data,
    });
  }
  /** @type {PeerRunner[]} */
  const peerRunners = [];
  for (const p of peers) {
    try {
      peerRunners.push(...(await p.runners(w, o.threads)));
    } catch (err) {
      notes.push(`peer ${p.name} failed to set up: ${/** @type {Error} */ (err).message.split('\n')[0]}`);
    }
  }
  for (const r of peerRunners) configs.push({ ...r, config: r.name, kind: 'peer' });

  const measured = await measureInterleaved(configs, {
    reps: o.reps,
    minSeconds: o.minSeconds,
    warmupSeconds: o.warmupSeconds,
    budgetSeconds: o.budgetSeconds,
    progress: (line) => progress(`${s.id}: ${line}`),
  });
  for (const r of peerRunners) await r.dispose();

  // Every configuration's first output against the reference (native, else ts); and the public
  // layer's output against the kernels', which shows that the kernels get the layer's arguments.
  const outputs = configs.map((c, i) => c.output(measured[i].firstResult));
  const refIndex = configs.findIndex((c) => c.kind === 'native' || c.kind === 'ts');
  const reference = refIndex >= 0 ? outputs[refIndex] : null;
  if (reference && api) {
    const layerOut = o.api ? outputs[configs.findIndex((c) => c.kind === 'api')] : apply().data;
    const d = layerOut ? maxAbsDiff(layerOut, reference) : Infinity;
    if (!(d <= TOLERANCE)) notes.push(`the layer API's output (${api.name}) differs from the kernels' by ${d.toExponential(1)}`);
  }
  const rows = configs.map((c, i) => {
    const out = outputs[i];
    const diff = reference && out ? maxAbsDiff(out, reference) : null;
    if (diff !== null && !(diff <= TOLERANCE)) notes.push(`${c.config}: output differs from ${configs[refIndex].config}'s by ${diff.toExponential(1)}`);
    if (c.note) notes.push(`${c.config}: ${c.note}`);
    const m = measured[i];
    if (m.warmupOnly) {
      notes.push(`${c.config}: its warm-up call only (${(m.msPerBatch[0] / 1000).toFixed(0)} s per batch, over the ${o.budgetSeconds} s budget; --budget)`);
    } else if (m.reps < o.reps) {
      notes.push(`${c.config}: ${m.reps} repetition${m.reps > 1 ? 's' : ''} only (${(m.median / 1000).toFixed(1)} s per batch, ${o.budgetSeconds} s budget; --budget)`);
    }
    return makeRow(s, c, m, limit, diff);
  });
  return shapeResult(s, rows, notes);
}

module.exports = { runShape };
