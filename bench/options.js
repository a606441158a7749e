// @ts-check
// Command-line options of `npm run bench` / `node bench/index.js`.
'use strict';

const path = require('path');
const { PEER_NAMES } = require('./peers');
const { selectShapes } = require('./shapes');

const USAGE = `usage: node bench/index.js [options]     (npm run bench -- [options] builds first)

  --shape S2,S4        shapes to run (default: all: S1a,S1b,S2,S3,S4,S5)
  --threads 1,2        native thread counts (default 1,2)
  --no-ts              skip the TypeScript fallback
  --peers LIST         optional peers if installed: ${PEER_NAMES.join(',')} (default all), or none
  --no-peers           same as --peers none
  --no-async           skip the "async and memory" section that runs after the shapes
  --only-async         run that section only (no shapes, no probe, no peers)
  --api                also time the public layer API (layer.apply) on its selected backend
  --reps N             repetitions per configuration (default 5)
  --min-seconds S      minimum length of a repetition (default 1)
  --budget S           most seconds measured per configuration and shape (default 30): a slower
                       configuration gets fewer repetitions, or its warm-up call only
  --quick              smoke test: 1 repetition of >= 0.2 s, a small sgemm probe, a shortened
                       async and memory section
  --limit-gflops 1=95,2=180
                       sgemm GFLOP/s by thread count instead of probing (e.g. without matmul);
                       the limit is the largest of them, as it is the best probe figure
  --json               print the results as JSON on stdout instead of the table
  --out DIR            where bench.json and bench.md are written (default bench/results)
  -h, --help           this text

Progress goes to stderr; the table (or JSON) to stdout.

% of limit: a row's GFLOP/s over the limit, the best sustained sgemm GFLOP/s of the probe over its
thread counts (the rows' and all the cores; on 2 cores normally 2 threads): one figure for every
row, whatever its threads.

Async and memory (public API, native backend, a fresh process, about 15 s; shortened by --quick):
the event-loop delay during back-to-back S2 predictAsync calls, 64 concurrent predictAsync calls
against predict and against 64 sequential awaits (with the process's threads), and RSS / heapUsed
over 100k S1a predict calls.

Peers (optional; not rnnkit dependencies): \`npm run bench:peers\` installs @tensorflow/tfjs,
@tensorflow/tfjs-backend-wasm and onnxruntime-node from bench/package-lock.json into
bench/node_modules (npm ci in bench/, with ONNXRUNTIME_NODE_INSTALL=skip: its CPU library ships
in the package); remove bench/node_modules to drop them. Anything require() finds from bench/peers
(NODE_PATH too) is used.`;

/**
 * @typedef {object} Options
 * @property {string[]} shapes       ids; empty = all
 * @property {number[]} threads
 * @property {boolean} ts
 * @property {string[]} peers
 * @property {boolean} api
 * @property {boolean} async         run the async and memory section (after the shapes)
 * @property {boolean} onlyAsync     run that section only
 * @property {number} reps
 * @property {number} minSeconds
 * @property {number} warmupSeconds
 * @property {number} budgetSeconds
 * @property {number[]} probeSizes
 * @property {number} probeSeconds
 * @property {Record<string, number> | null} limitGflops
 * @property {boolean} quick
 * @property {boolean} json
 * @property {string} out
 * @property {boolean} help
 */

class UsageError extends Error {}

/** @param {string} flag @param {string | undefined} v */
function positiveInt(flag, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} expects a positive integer, got '${v}'`);
  return n;
}

/** @param {string} flag @param {string | undefined} v */
function positiveNumber(flag, v) {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag} expects a positive number, got '${v}'`);
  return n;
}

/** @param {string} v */
const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);

/** @param {string[]} argv @returns {Options} */
function parseOptions(argv) {
  /** @type {Options} */
  const o = {
    shapes: [],
    threads: [1, 2],
    ts: true,
    peers: PEER_NAMES.slice(),
    api: false,
    async: true,
    onlyAsync: false,
    reps: 5,
    minSeconds: 1,
    warmupSeconds: 0.3,
    budgetSeconds: 30,
    probeSizes: [1024, 2048],
    probeSeconds: 1,
    limitGflops: null,
    quick: false,
    json: false,
    out: path.join(__dirname, 'results'),
    help: false,
  };
  let reps = null;
  let minSeconds = null;
  let noAsync = false;
  let shapesGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (flag !== arg) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} expects a value`);
      return v;
    };
    switch (flag) {
      case '--shape':
      case '--shapes':
        o.shapes = list(value());
        shapesGiven = true;
        try {
          selectShapes(o.shapes);
        } catch (err) {
          throw new UsageError(/** @type {Error} */ (err).message);
        }
        break;
      case '--threads':
        o.threads = [...new Set(list(value()).map((t) => positiveInt('--threads', t)))].sort((a, b) => a - b);
        if (o.threads.length === 0) throw new UsageError('--threads expects at least one thread count');
        break;
      case '--no-ts':
        o.ts = false;
        break;
      case '--peers': {
        const v = list(value());
        o.peers = v.length === 1 && v[0] === 'none' ? [] : v.length === 1 && v[0] === 'all' ? PEER_NAMES.slice() : v;
        for (const p of o.peers) if (!PEER_NAMES.includes(p)) throw new UsageError(`unknown peer '${p}'; the peers are ${PEER_NAMES.join(', ')}`);
        break;
      }
      case '--no-peers':
        o.peers = [];
        break;
      case '--api':
        o.api = true;
        break;
      case '--no-async':
        noAsync = true;
        break;
      case '--only-async':
        o.onlyAsync = true;
        break;
      case '--reps':
        reps = positiveInt('--reps', value());
        break;
      case '--min-seconds':
        minSeconds = positiveNumber('--min-seconds', value());
        break;
      case '--budget':
        o.budgetSeconds = positiveNumber('--budget', value());
        break;
      case '--quick':
        o.quick = true;
        break;
      case '--limit-gflops': {
        /** @type {Record<string, number>} */
        const limits = {};
        for (const pair of list(value())) {
          const [t, g] = pair.split('=');
          limits[positiveInt('--limit-gflops threads', t)] = positiveNumber('--limit-gflops GFLOP/s', g);
        }
        o.limitGflops = limits;
        break;
      }
      case '--json':
        o.json = true;
        break;
      case '--out':
        o.out = path.resolve(value());
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (o.onlyAsync && noAsync) throw new UsageError('--only-async and --no-async exclude each other');
  if (o.onlyAsync && shapesGiven) throw new UsageError('--only-async runs no shapes: drop --shape');
  o.async = !noAsync;
  if (o.quick) {
    o.reps = 1;
    o.minSeconds = 0.2;
    o.warmupSeconds = 0.05;
    o.probeSizes = [1024];
    o.probeSeconds = 0.2;
  }
  if (reps !== null) o.reps = reps;
  if (minSeconds !== null) o.minSeconds = minSeconds;
  o.budgetSeconds = Math.max(o.budgetSeconds, o.reps * o.minSeconds); // binds only configurations slower than minSeconds per batch
  return o;
}

module.exports = { parseOptions, UsageError, USAGE };
