// Typed errors. Every message says what was expected and what came.

/** Base class of every error rnnkit throws on purpose. */
export class RnnkitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor, weight or option has the wrong rank, size or count. */
export class ShapeError extends RnnkitError {}

/** A value is not allowed: an unknown option or name, an id out of range, NaN, ... */
export class ValueError extends RnnkitError {}

/** An argument has the wrong type (not an array, not a number, ...). */
export class InputTypeError extends RnnkitError {}

/** A layer or model was used in a way its state does not allow (e.g. weights before build). */
export class StateError extends RnnkitError {}

/** The requested backend cannot be used (e.g. RNNKIT_BACKEND=native and no addon loads). */
export class BackendError extends RnnkitError {}

/** Formats a shape the way Keras prints it: (None, 3). */
export function formatShape(shape: ReadonlyArray<number | null>): string {
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** Describes what came, for error messages: a type name, or an array's shape. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * A model file (or buffer) cannot be loaded or saved: not a model, truncated or corrupt, an
 * unsupported layer or option, weights of the wrong shape or count. `file` names the file (or
 * '<buffer>'), `layer` the layer concerned when there is one.
 */
export class ModelFileError extends RnnkitError {
  readonly file: string;
  readonly layer: string | null;

  constructor(file: string, layer: string | null, problem: string) {
    super(`${file}${layer ? `: layer '${layer}'` : ''}: ${problem}`);
    this.file = file;
    this.layer = layer;
  }
}
