// TensorFlow Serving's REST predict body -> checked rows for the batcher, and rows -> the reply.
// Every problem is a RequestError (HTTP 400) saying what was expected and what came.

export class RequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface InputSpec {
  /** The model's input shape without the batch: null where any size goes (timesteps). */
  shape: (number | null)[];
  /** For an Embedding first layer: ids must be integers in [0, vocabulary). */
  vocabulary: number | null;
}

export interface ParsedRequest {
  form: 'instances' | 'inputs';
  rows: Float32Array[];
  rowShape: number[];
}

function shapeOf(value: unknown, path: string): number[] {
  if (!Array.isArray(value)) return [];
  if (value.length === 0) throw new RequestError(`${path} is an empty list`);
  const first = shapeOf(value[0], `${path}[0]`);
  value.forEach((v, i) => {
    const s = shapeOf(v, `${path}[${i}]`);
    if (s.length !== first.length || s.some((d, k) => d !== first[k])) {
      throw new RequestError(`${path} is ragged: ${path}[0] has shape [${first.join(', ')}], ${path}[${i}] has [${s.join(', ')}]`);
    }
  });
  return [value.length, ...first];
}

function flatten(value: unknown, out: Float32Array, at: { i: number }, spec: InputSpec, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, k) => flatten(v, out, at, spec, `${path}[${k}]`));
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RequestError(`${path} must be a finite number, got ${JSON.stringify(value)?.slice(0, 40) ?? String(value)}`);
  }
  if (spec.vocabulary !== null && !(Number.isInteger(value) && value >= 0 && value < spec.vocabulary)) {
    throw new RequestError(`${path} must be a token id, an integer in [0, ${spec.vocabulary}), got ${value}`);
  }
  out[at.i++] = value;
}

function parseInstances(list: unknown, spec: InputSpec, what: string): { rows: Float32Array[]; rowShape: number[] } {
  if (!Array.isArray(list)) throw new RequestError(`"${what}" must be a list of instances, got ${typeof list}`);
  if (list.length === 0) throw new RequestError(`"${what}" is empty: send at least one instance`);
  const rowShape = shapeOf(list[0], `${what}[0]`);
  const expected = `[${spec.shape.map((d) => d ?? 'any').join(', ')}]`;
  const fits = (s: number[]) => s.length === spec.shape.length && spec.shape.every((d, k) => d === null || d === s[k]);
  const rows = list.map((instance, i) => {
    const s = shapeOf(instance, `${what}[${i}]`);
    if (!fits(s)) throw new RequestError(`${what}[${i}] must have shape ${expected}, got [${s.join(', ')}]`);
    if (s.some((d, k) => d !== rowShape[k])) {
      throw new RequestError(`all instances must have one shape: ${what}[0] is [${rowShape.join(', ')}], ${what}[${i}] is [${s.join(', ')}]`);
    }
    const row = new Float32Array(s.reduce((a, b) => a * b, 1));
    flatten(instance, row, { i: 0 }, spec, `${what}[${i}]`);
    return row;
  });
  return { rows, rowShape };
}

/** Reads { instances: [...] } (row form) or { inputs: [...] | { name: [...] } } (columnar form). */
export function parsePredictBody(body: unknown, spec: InputSpec): ParsedRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError('the body must be a JSON object with "instances" or "inputs"');
  }
  const b = body as Record<string, unknown>;
  const keys = Object.keys(b).filter((k) => k !== 'signature_name');
  if (keys.length !== 1 || (keys[0] !== 'instances' && keys[0] !== 'inputs')) {
    throw new RequestError(`the body must have exactly one of "instances" or "inputs", got ${keys.map((k) => `"${k}"`).join(', ') || 'neither'}`);
  }
  if (keys[0] === 'instances') return { form: 'instances', ...parseInstances(b.instances, spec, 'instances') };
  let inputs = b.inputs;
  // Columnar form with a named input: the model has one input, so the map must hold exactly one.
  if (typeof inputs === 'object' && inputs !== null && !Array.isArray(inputs)) {
    const names = Object.keys(inputs);
    if (names.length !== 1) throw new RequestError(`the model has one input; "inputs" names ${names.length}`);
    inputs = (inputs as Record<string, unknown>)[names[0]];
  }
  return { form: 'inputs', ...parseInstances(inputs, spec, 'inputs') };
}

/** A flat row as nested arrays of `shape`. */
export function nest(values: Float32Array, shape: number[]): unknown {
  if (shape.length === 0) return values[0];
  if (shape.length === 1) return Array.from(values);
  const step = values.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => nest(values.subarray(i * step, (i + 1) * step), shape.slice(1)));
}
