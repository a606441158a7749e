// Keras's weight initialisers. Fans follow Keras: for a 2-D shape (fanIn, fanOut).
import { ValueError, describeValue } from '../errors';
import { SeededRandom } from '../random';

export type InitializerSpec =
  | string
  | { className: string; config?: Record<string, unknown> }
  | { class_name: string; config?: Record<string, unknown> };

export type Initializer = (shape: readonly number[], rng: SeededRandom) => Float32Array;

function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function fill(shape: readonly number[], sample: () => number): Float32Array {
  const out = new Float32Array(size(shape));
  for (let i = 0; i < out.length; i++) out[i] = sample();
  return out;
}

function truncatedNormal(rng: SeededRandom, stddev: number, mean = 0): number {
  for (;;) {
    const v = rng.normal();
    if (Math.abs(v) <= 2) return mean + stddev * v;
  }
}

type Scale = 'fan_in' | 'fan_out' | 'fan_avg';
function varianceScaling(scale: number, mode: Scale, distribution: 'uniform' | 'truncated_normal'): Initializer {
  return (shape, rng) => {
    const [fanIn, fanOut] = fans(shape);
    const n = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, n);
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return fill(shape, () => rng.uniform(-limit, limit));
    }
    // Keras divides by the stddev of a standard normal truncated to [-2, 2].
    const stddev = Math.sqrt(variance) / 0.8796256610342398;
    return fill(shape, () => truncatedNormal(rng, stddev));
  };
}

/** Orthogonal matrix (Keras: QR of a normal matrix, signs fixed by diag(R), transposed if wide). */
function orthogonal(gain: number): Initializer {
  return (shape, rng) => {
    const rows = shape.length < 2 ? 1 : size(shape.slice(0, -1));
    const cols = shape[shape.length - 1];
    const tall = Math.max(rows, cols);
    const narrow = Math.min(rows, cols);
    // Columns of a (tall x narrow) normal matrix, orthonormalised by modified Gram-Schmidt
    // (equivalent to QR with a positive diagonal of R, which is what Keras's sign fix yields).
    const q: Float64Array[] = [];
    for (let j = 0; j < narrow; j++) {
      const v = new Float64Array(tall);
      for (let i = 0; i < tall; i++) v[i] = rng.normal();
      for (const u of q) {
        let dot = 0;
        for (let i = 0; i < tall; i++) dot += u[i] * v[i];
        for (let i = 0; i < tall; i++) v[i] -= dot * u[i];
      }
      let norm = 0;
      for (let i = 0; i < tall; i++) norm += v[i] * v[i];
      norm = Math.sqrt(norm);
      for (let i = 0; i < tall; i++) v[i] /= norm;
      q.push(v);
    }
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        // q is tall x narrow (column j = q[j]); Keras transposes it when rows < cols.
        out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
      }
    }
    return out;
  };
}

function constant(value: number): Initializer {
  return (shape) => new Float32Array(size(shape)).fill(value);
}

function numberOption(config: Record<string, unknown>, key: string, fallback: number): number {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ValueError(`initializer option ${key} must be a finite number, got ${describeValue(v)}`);
  }
  return v;
}

const snake = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Resolves a Keras initializer name ('glorot_uniform', 'GlorotUniform') or {className, config}. */
export function getInitializer(spec: InitializerSpec): Initializer {
  let name: string;
  let config: Record<string, unknown> = {};
  if (typeof spec === 'string') {
    name = spec;
  } else if (spec && typeof spec === 'object' && ('className' in spec || 'class_name' in spec)) {
    name = 'className' in spec ? spec.className : spec.class_name;
    config = spec.config ?? {};
  } else {
    throw new ValueError(`initializer must be a name such as 'glorot_uniform' or { className, config }, got ${describeValue(spec)}`);
  }
  const key = snake(name);
  switch (key) {
    case 'zeros':
    case 'zero':
      return constant(0);
    case 'ones':
    case 'one':
      return constant(1);
    case 'constant':
      return constant(numberOption(config, 'value', 0));
    case 'glorot_uniform':
      return varianceScaling(1, 'fan_avg', 'uniform');
    case 'glorot_normal':
      return varianceScaling(1, 'fan_avg', 'truncated_normal');
    case 'he_uniform':
      return varianceScaling(2, 'fan_in', 'uniform');
    case 'he_normal':
      return varianceScaling(2, 'fan_in', 'truncated_normal');
    case 'lecun_uniform':
      return varianceScaling(1, 'fan_in', 'uniform');
    case 'lecun_normal':
      return varianceScaling(1, 'fan_in', 'truncated_normal');
    case 'orthogonal':
      return orthogonal(numberOption(config, 'gain', 1));
    case 'uniform':
    case 'random_uniform': {
      const lo = numberOption(config, 'minval', -0.05);
      const hi = numberOption(config, 'maxval', 0.05);
      return (shape, rng) => fill(shape, () => rng.uniform(lo, hi));
    }
    case 'normal':
    case 'random_normal': {
      const mean = numberOption(config, 'mean', 0);
      const stddev = numberOption(config, 'stddev', 0.05);
      return (shape, rng) => fill(shape, () => mean + stddev * rng.normal());
    }
    case 'truncated_normal': {
      const mean = numberOption(config, 'mean', 0);
      const stddev = numberOption(config, 'stddev', 0.05);
      return (shape, rng) => fill(shape, () => truncatedNormal(rng, stddev, mean));
    }
    case 'identity': {
      const gain = numberOption(config, 'gain', 1);
      return (shape) => {
        const out = new Float32Array(size(shape));
        const cols = shape[shape.length - 1];
        for (let i = 0; i < Math.min(shape[0], cols); i++) out[i * cols + i] = gain;
        return out;
      };
    }
    default:
      throw new ValueError(
        `unknown initializer '${name}'; expected one of zeros, ones, constant, glorot_uniform, glorot_normal, ` +
          `he_uniform, he_normal, lecun_uniform, lecun_normal, orthogonal, random_uniform, random_normal, ` +
          `truncated_normal, identity`,
      );
  }
}
