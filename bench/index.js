#!/usr/bin/env node
// @ts-check
// `npm run bench`: the reference shapes of issue 3 on the native addon (1 and 2 threads), on the
// TypeScript fallback and on any installed peer (`npm run bench:peers`), side by side in one
// process, with an sgemm probe of the same machine; then the async and memory section
// (async-memory.js, in a process of its own). Prints the tables (or JSON with --json) and writes
// bench.json and bench.md. Requires the compiled package (lib/, build/): `npm run bench` builds first.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const { parseOptions, UsageError, USAGE } = require('./options');

/** @typedef {import('../lib/backend/kernels').Kernels} Kernels */

/** @param {string} line */
const progress = (line) => process.stderr.write(`bench: ${line}\n`);

/** @param {string[]} argv */
async function main(argv) {
  const o = parseOptions(argv);
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const started = Date.now();
  if (!fs.existsSync(path.join(__dirname, '..', 'lib', 'index.js'))) {
    throw new Error('lib/ is not built: run `npm run build` first (or `npm run bench`, which builds)');
  }
  const { selectShapes } = require('./shapes');
  const { probeSgemm } = require('./probe');
  const { findPeers } = require('./peers');
  const { runShape } = require('./run-shape');
  const { bestLimit } = require('./results');
  const { runAsyncMemory } = require('./async-memory');
  const { sysInfo } = require('./sysinfo');
  const { renderText, renderMarkdown, renderJson } = require('./report');
  const rnnkit = require('../lib/index.js');
  const { loadNativeKernels } = require('../lib/backend/native.js');
  /** @type {Kernels} */
  const tsKernels = require('../lib/backend/ts/index.js');

  const shapes = o.onlyAsync ? [] : selectShapes(o.shapes);
  const loaded = loadNativeKernels();
  const native = loaded.kernels;
  const nativeReason = native ? null : loaded.failures.join('; ');
  /** @type {string[]} */
  const notes = [];
  if (!native) {
    notes.push(`native addon not loaded (${nativeReason}): native rows skipped`);
    progress(`native addon not loaded: ${nativeReason}`);
  }
  const hasMany = !!native && typeof native.rnnForwardMany === 'function';
  if (shapes.some((s) => s.bidirectional)) {
    const without = [...(native && !hasMany ? ['native'] : []), ...(o.ts && typeof tsKernels.rnnForwardMany !== 'function' ? ['ts'] : [])];
    notes.push(
      'Bidirectional (S5) is timed as one rnnForwardMany call on the [forward, backward] arguments: the same work as the layer (the concat of the two last outputs is not timed)' +
        (without.length ? `; ${without.join(' and ')} ha${without.length > 1 ? 've' : 's'} no rnnForwardMany yet, so there the two directions run one after the other (rnnForward twice)` : ''),
    );
  }
  const { peers, missing } = o.onlyAsync ? { peers: [], missing: [] } : await findPeers(o.peers);
  if (o.peers.length > 0 && peers.length === 0 && !o.onlyAsync) progress(`no peers installed (${missing.map((m) => m.name).join(', ')}): skipped`);
  for (const p of peers) progress(`peer ${p.name} ${p.version}`);

  // The limit is the machine's best sustained sgemm rate: the probe runs on every thread count a
  // row runs on (native's, 1 for ts and tfjs) and on all the cores, and the best figure is the limit.
  const probeThreads = [...new Set([...(native ? [...o.threads, os.cpus().length] : []), 1])].sort((a, b) => a - b);
  const probe = o.onlyAsync
    ? { available: false, reason: 'skipped (--only-async)', runs: [], best: {} }
    : o.limitGflops
      ? { available: false, reason: 'skipped (--limit-gflops)', runs: [], best: {} }
      : probeSgemm(native, { threads: probeThreads, sizes: o.probeSizes, minSeconds: o.probeSeconds, progress });
  if (!probe.available && !o.limitGflops && !o.onlyAsync) {
    progress(`sgemm probe not run: ${probe.reason}`);
    notes.push(`sgemm probe not run: ${probe.reason}`);
  }
  const byThreads = o.limitGflops ?? probe.best;
  const best = bestLimit(byThreads);
  /** @type {import('./report').LimitInfo} */
  const limit = {
    source: o.limitGflops ? '--limit-gflops' : probe.available ? 'probe' : null,
    gflops: best ? best.gflops : null,
    threads: best ? best.threads : null,
    byThreads,
  };
  if (best) progress(`limit: ${best.gflops.toFixed(1)} GFLOP/s (${o.limitGflops ? 'the largest given' : 'the best probe figure'}, ${best.threads} thread${best.threads > 1 ? 's' : ''})`);

  // The public layer API runs on the backend it selects (RNNKIT_BACKEND, else native if it loads).
  let api = null;
  try {
    api = rnnkit.backend();
  } catch (err) {
    notes.push(`the public layer API cannot run (${/** @type {Error} */ (err).message}): no layer-API check${o.api ? ' or rows' : ''}`);
  }

  const threadsBefore = native ? native.getThreads() : 1;
  const shapeResults = [];
  for (const s of shapes) {
    const result = await runShape(s, { o, native, tsKernels, api, peers, limit: limit.gflops, progress });
    if (native) native.setThreads(threadsBefore);
    shapeResults.push(result);
    const m = result.summary;
    if (m.nativeConfig) progress(`${s.id}: ${m.nativeConfig} ${Math.round(m.nativeSeqPerSec ?? 0)} seq/s${m.nativeLimitPct !== null ? `, ${m.nativeLimitPct.toFixed(0)} % of the limit` : ''}`);
  }

  const over = shapeResults.flatMap((s) => s.rows.filter((r) => r.limitPct !== null && r.limitPct > 100).map((r) => `${s.id} ${r.config}`));
  if (over.length) {
    notes.push(`above 100 % of the limit (${over.join(', ')}): the probe fell short of what the machine sustains (a busy machine during the probe, or matmul not splitting well over the threads)`);
  }
  const checked = shapeResults.flatMap((s) => s.rows).filter((r) => r.maxAbsDiff !== null);
  if (checked.length) {
    const worst = Math.max(...checked.map((r) => /** @type {number} */ (r.maxAbsDiff)));
    notes.push(`outputs checked against the ${native ? 'native' : 'ts'} kernels' (first call of each configuration): largest difference ${worst.toExponential(1)}`);
  }

  // In a process of its own, after the shapes: its threads and memory are not the shapes' or the peers'.
  const asyncMemory = o.async ? runAsyncMemory({ quick: o.quick, nativeLoaded: !!native, progress }) : null;
  if (asyncMemory && !asyncMemory.available) {
    progress(`async and memory: not run (${asyncMemory.reason})`);
    notes.push(`async and memory: not run (${asyncMemory.reason})`);
  }

  /** @type {import('./report').Run} */
  const run = {
    meta: {
      system: sysInfo(loaded.file),
      command: ['node bench/index.js', ...argv].join(' '),
      options: { shapes: shapes.map((s) => s.id), threads: o.threads, reps: o.reps, minSeconds: o.minSeconds, budgetSeconds: o.budgetSeconds, quick: o.quick, ts: o.ts, peers: o.peers, api: o.api, async: o.async, onlyAsync: o.onlyAsync },
      native: { loaded: !!native, file: loaded.file, reason: nativeReason, matmul: !!native && typeof native.matmul === 'function', rnnForwardMany: hasMany },
      probe,
      limit,
      peers: { used: peers.map((p) => ({ name: p.name, version: p.version })), missing },
      notes,
      totalSeconds: (Date.now() - started) / 1000,
    },
    shapes: shapeResults,
    async: asyncMemory,
  };
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'bench.json'), renderJson(run));
  fs.writeFileSync(path.join(o.out, 'bench.md'), renderMarkdown(run));
  process.stdout.write(o.json ? renderJson(run) : renderText(run));
  progress(`wrote ${path.join(o.out, 'bench.json')} and bench.md`);
}

main(process.argv.slice(2)).then(
  // Peers (onnxruntime's thread pool, tfjs) can keep the process alive: exit once stdout is flushed.
  () => process.stdout.write('', () => process.exit(0)),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`bench: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
