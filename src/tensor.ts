// Tensor: a shape and a flat row-major Float32Array. The only data type that crosses layers.
import { InputTypeError, ShapeError, describeValue, formatShape } from './errors';

export type NestedArray = number | NestedArray[];
export type TypedNumberArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

export class Tensor {
  readonly shape: number[];
  readonly data: Float32Array;

  constructor(data: Float32Array, shape: readonly number[]) {
    const size = shape.reduce((a, b) => a * b, 1);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) {
        throw new ShapeError(`tensor: every dimension must be an integer >= 0, got shape ${formatShape(shape)}`);
      }
    }
    if (size !== data.length) {
      throw new ShapeError(`tensor: shape ${formatShape(shape)} needs ${size} values, got ${data.length}`);
    }
    this.shape = [...shape];
    this.data = data;
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  /** The values as nested arrays of numbers, like numpy's tolist(). */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === this.shape.length - 1 ? this.data[offset + i] : build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor${formatShape(this.shape)} ${JSON.stringify(this.toArray())}`;
  }
}

export type TensorLike = Tensor | NestedArray | TypedNumberArray;

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flatten(values: NestedArray, shape: number[], out: Float32Array): void {
  let pos = 0;
  const walk = (v: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') {
        throw new InputTypeError(`tensor: expected a number at ${path || 'the top'}, got ${describeValue(v)}`);
      }
      out[pos++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ShapeError(
        `tensor: ragged nested array: expected an array of length ${shape[dim]} at ${path || 'the top'} ` +
          `(shape ${formatShape(shape)}), got ${describeValue(v)}`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, `${path}[${i}]`);
  };
  walk(values, 0, '');
}

/**
 * Makes a Tensor from nested arrays (shape inferred), from a typed array and a shape, or returns
 * a Tensor unchanged. Integer typed arrays (ids for Embedding) are converted to float32 values.
 */
export function tensor(values: TensorLike, shape?: readonly number[]): Tensor {
  if (values instanceof Tensor) {
    if (shape && formatShape(shape) !== formatShape(values.shape)) {
      return new Tensor(values.data, shape);
    }
    return values;
  }
  if (ArrayBuffer.isView(values)) {
    if (!shape) throw new ShapeError(`tensor: a typed array needs a shape, e.g. tensor(data, [batch, timesteps, features])`);
    const data = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    return new Tensor(data, shape);
  }
  if (typeof values === 'number') {
    return new Tensor(Float32Array.of(values), shape ?? []);
  }
  if (!Array.isArray(values)) {
    throw new InputTypeError(`tensor: expected a Tensor, a nested array of numbers or a typed array, got ${describeValue(values)}`);
  }
  const inferred = inferShape(values);
  const data = new Float32Array(inferred.reduce((a, b) => a * b, 1));
  flatten(values, inferred, data);
  return shape ? new Tensor(data, shape) : new Tensor(data, inferred);
}
