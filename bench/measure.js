// @ts-check
// Timing. Each configuration of a shape is warmed up, then measured in repetitions that are
// interleaved across the configurations (rep 1 of every configuration, then rep 2, ...; the
// starting configuration rotates each round), so a slow spell of a shared machine hits all of
// them rather than one. A repetition calls the batch until at least minSeconds have elapsed; its
// figure is elapsed / batches. The result is the median and the min-max over the repetitions.
// A configuration too slow for its repetitions to fit in budgetSeconds (TF.js's pure-JS backend
// takes over a minute per S3 batch) gets fewer; one whose single batch exceeds the budget keeps its
// warm-up call as its only figure. The row says so (reps, warmupOnly).
'use strict';

/**
 * @typedef {object} Runner
 * @property {string} name
 * @property {() => (void | Promise<void>)} [before]  called before each warm-up / repetition (e.g. setThreads)
 * @property {() => unknown} run                      one batch
 * @property {boolean} [async]                         run returns a promise to await
 *
 * @typedef {object} Measurement
 * @property {number[]} msPerBatch   one value per repetition
 * @property {number[]} batches      batches per repetition
 * @property {number} reps           repetitions run (fewer than asked when over the budget)
 * @property {boolean} warmupOnly    the one figure is the warm-up call (a batch longer than the budget)
 * @property {number} median
 * @property {number} min
 * @property {number} max
 * @property {number} seconds        total measured time (warm-up excluded)
 * @property {unknown} firstResult   what the first warm-up call returned (for the output checks)
 *
 * @typedef {object} MeasureOptions
 * @property {number} reps
 * @property {number} minSeconds     per repetition
 * @property {number} warmupSeconds  at least one call
 * @property {number} budgetSeconds  most measured time per configuration (at least 1 repetition or the warm-up)
 * @property {(line: string) => void} [progress]
 */

function nowSeconds() {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** @param {number[]} values */
function median(values) {
  const v = values.slice().sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Calls the batch until minSeconds have passed (at least once); returns [elapsed s, batches, first result].
 * @param {Runner} r @param {number} minSeconds
 * @returns {Promise<[number, number, unknown]>}
 */
async function timeLoop(r, minSeconds) {
  let batches = 0;
  let first;
  const start = nowSeconds();
  let elapsed = 0;
  if (r.async) {
    do {
      const out = await r.run();
      if (batches++ === 0) first = out;
      elapsed = nowSeconds() - start;
    } while (elapsed < minSeconds);
  } else {
    do {
      const out = r.run();
      if (batches++ === 0) first = out;
      elapsed = nowSeconds() - start;
    } while (elapsed < minSeconds);
  }
  return [elapsed, batches, first];
}

/**
 * Measures the runners of one shape, interleaved.
 * @param {Runner[]} runners @param {MeasureOptions} o
 * @returns {Promise<Measurement[]>}
 */
async function measureInterleaved(runners, o) {
  /** @type {Measurement[]} */
  const out = runners.map(() => ({ msPerBatch: [], batches: [], reps: 0, warmupOnly: false, median: NaN, min: NaN, max: NaN, seconds: 0, firstResult: undefined }));
  /** @type {number[]} repetitions each runner gets */
  const planned = [];
  for (let i = 0; i < runners.length; i++) {
    const r = runners[i];
    if (r.before) await r.before();
    const [elapsed, calls, first] = await timeLoop(r, o.warmupSeconds);
    out[i].firstResult = first;
    const perCall = elapsed / calls;
    planned.push(Math.min(o.reps, Math.floor(o.budgetSeconds / Math.max(o.minSeconds, perCall))));
    if (planned[i] === 0) {
      out[i].warmupOnly = true;
      out[i].msPerBatch.push(perCall * 1000);
      out[i].batches.push(calls);
      out[i].seconds = elapsed;
    }
  }
  const rounds = Math.max(0, ...planned);
  for (let rep = 0; rep < rounds; rep++) {
    for (let j = 0; j < runners.length; j++) {
      const i = (j + rep) % runners.length;
      if (rep >= planned[i]) continue;
      const r = runners[i];
      if (r.before) await r.before();
      const [elapsed, batches] = await timeLoop(r, o.minSeconds);
      out[i].msPerBatch.push((elapsed * 1000) / batches);
      out[i].batches.push(batches);
      out[i].seconds += elapsed;
    }
    if (o.progress) o.progress(`rep ${rep + 1}/${rounds}`);
  }
  for (const m of out) {
    m.reps = m.msPerBatch.length;
    m.median = median(m.msPerBatch);
    m.min = Math.min(...m.msPerBatch);
    m.max = Math.max(...m.msPerBatch);
  }
  return out;
}

module.exports = { measureInterleaved, median, nowSeconds };
