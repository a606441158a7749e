// Shapes with an unknown batch (or time) dimension, as Keras prints them: (None, 10, 8).
import { ShapeError, ValueError, describeValue, formatShape } from '../errors';
import { Tensor } from '../tensor';

/** A shape including the batch dimension; null is an unknown size (None). */
export type Shape = (number | null)[];

export { formatShape };

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkDims(owner: string, what: string, dims: unknown, allowNullFirst: boolean): (number | null)[] {
  if (!Array.isArray(dims)) throw new ValueError(`${owner}: ${what} must be an array of dimensions, got ${describeValue(dims)}`);
  return dims.map((d, i) => {
    if (d === null && (allowNullFirst || i > 0)) return null;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw new ValueError(`${owner}: ${what} must hold integers >= 1 (or null for an unknown size), got ${JSON.stringify(dims)}`);
    }
    return d;
  });
}

/** The declared batch input shape from Keras's inputShape / batchInputShape / batchSize options. */
export function declaredInputShape(
  owner: string,
  options: { inputShape?: unknown; batchInputShape?: unknown; batchSize?: unknown },
): Shape | null {
  if (options.batchInputShape !== undefined && options.batchInputShape !== null) {
    return checkDims(owner, 'batchInputShape', options.batchInputShape, true);
  }
  if (options.inputShape !== undefined && options.inputShape !== null) {
    const batch = options.batchSize ?? null;
    if (batch !== null && (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1)) {
      throw new ValueError(`${owner}: batchSize must be an integer >= 1, got ${describeValue(batch)}`);
    }
    return [batch as number | null, ...checkDims(owner, 'inputShape', options.inputShape, true)];
  }
  return null;
}

/** Throws a ShapeError unless the tensor has the given rank. */
export function expectRank(owner: string, x: Tensor, rank: number, meaning: string): void {
  if (x.rank !== rank) {
    throw new ShapeError(`${owner}: expected a ${rank}-D input ${meaning}, got shape ${formatShape(x.shape)}`);
  }
}

/** Throws a ShapeError when a dimension is 0 (empty batch, zero timesteps). */
export function expectNonEmpty(owner: string, x: Tensor, names: string[]): void {
  x.shape.forEach((d, i) => {
    if (d === 0) {
      throw new ShapeError(`${owner}: ${names[i] ?? `dimension ${i}`} must be at least 1, got shape ${formatShape(x.shape)}`);
    }
  });
}
