// Reads HDF5 files (Keras's legacy .h5 and the model.weights.h5 inside .keras) with jsfive, a
// pure-JS reader: a corrupt file can only make it throw, never abort the process. Every failure
// becomes a ModelFileError naming the file, the layer and the path inside the file.
import * as jsfive from 'jsfive';
import { ModelFileError } from '../../errors';

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Float types a weight may be stored as; integers are not weights. */
const FLOAT_DTYPES = new Set(['<f4', '>f4', '<f8', '>f8', '<f2', '>f2']);

export class Hdf5Reader {
  private constructor(
    readonly file: string,
    private readonly root: jsfive.File,
    private readonly byteLength: number,
  ) {}

  static open(bytes: Uint8Array, file: string): Hdf5Reader {
    if (!isHdf5(bytes)) throw new ModelFileError(file, null, 'not an HDF5 file (no HDF5 signature at the start)');
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const root = guard(file, null, 'the HDF5 superblock', () => new jsfive.File(copy, file));
    return new Hdf5Reader(file, root, bytes.byteLength);
  }

  private node(path: string, layer: string | null): jsfive.Group | jsfive.Dataset | null {
    if (path === '' || path === '/') return this.root;
    return guard(this.file, layer, `'${path}'`, () => {
      // jsfive throws for a missing link in the middle of a path; walk it so "missing" is null.
      let current: jsfive.Group | jsfive.Dataset = this.root;
      for (const part of path.split('/').filter((p) => p !== '')) {
        if (!(current instanceof jsfive.Group) || !current.keys.includes(part)) return null;
        const next: jsfive.Group | jsfive.Dataset | null = current.get(part);
        if (next === null || next === undefined) return null;
        current = next;
      }
      return current;
    });
  }

  isGroup(path: string, layer: string | null = null): boolean {
    return this.node(path, layer) instanceof jsfive.Group;
  }

  isDataset(path: string, layer: string | null = null): boolean {
    return this.node(path, layer) instanceof jsfive.Dataset;
  }

  /** The names in a group, or [] when there is no group at `path`. */
  keys(path: string, layer: string | null = null): string[] {
    const node = this.node(path, layer);
    if (!(node instanceof jsfive.Group)) return [];
    return guard(this.file, layer, `the members of '${path}'`, () => [...node.keys]);
  }

  /** An attribute: strings decoded (NUL padding stripped), string arrays as string[]; undefined if absent. */
  attr(path: string, name: string, layer: string | null = null): unknown {
    const node = this.node(path, layer);
    if (node === null) return undefined;
    const attrs = guard(this.file, layer, `the attributes of '${path || '/'}'`, () => node.attrs);
    if (!(name in attrs)) return undefined;
    const value = guard(this.file, layer, `attribute '${name}' of '${path || '/'}'`, () => attrs[name]);
    return decodeAttr(value);
  }

  /** A string attribute (or a one-element string array), or undefined. */
  stringAttr(path: string, name: string, layer: string | null = null): string | undefined {
    const v = this.attr(path, name, layer);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    return undefined;
  }

  datasetShape(path: string, layer: string | null = null): number[] {
    const node = this.node(path, layer);
    if (!(node instanceof jsfive.Dataset)) throw new ModelFileError(this.file, layer, `no dataset at '${path}'`);
    return guard(this.file, layer, `the shape of '${path}'`, () => [...node.shape].map(Number));
  }

  /** A float dataset as float32, after checking its shape against `expected` (when given). */
  readFloat32(path: string, layer: string | null, expected?: readonly number[]): Float32Array {
    const node = this.node(path, layer);
    if (!(node instanceof jsfive.Dataset)) throw new ModelFileError(this.file, layer, `no dataset at '${path}'`);
    const shape = this.datasetShape(path, layer);
    if (expected && (shape.length !== expected.length || shape.some((d, i) => d !== expected[i]))) {
      throw new ModelFileError(this.file, layer, `weight '${path}' must have shape [${expected.join(', ')}], the file has [${shape.join(', ')}]`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    // A stored (uncompressed) dataset cannot hold more floats than the file has bytes; compressed
    // ones get a generous factor, so a crafted header cannot make us allocate without bound.
    if (count > this.byteLength * 64) {
      throw new ModelFileError(this.file, layer, `weight '${path}' claims ${count} values, more than a ${this.byteLength}-byte file can hold`);
    }
    const dtype = guard(this.file, layer, `the type of '${path}'`, () => node.dtype);
    if (typeof dtype !== 'string' || !FLOAT_DTYPES.has(dtype)) {
      throw new ModelFileError(this.file, layer, `weight '${path}' must be a float array, the file has type ${JSON.stringify(dtype)}`);
    }
    const values = guard(this.file, layer, `weight '${path}'`, () => node.value);
    if (!values || values.length !== count) {
      throw new ModelFileError(this.file, layer, `weight '${path}' holds ${values?.length ?? 0} values, its shape needs ${count}`);
    }
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (typeof v !== 'number') throw new ModelFileError(this.file, layer, `weight '${path}' holds a non-number at index ${i}`);
      out[i] = v;
    }
    return out;
  }

  /** A numeric dataset as float64 values (recorded inputs and predictions in test files). */
  readNumbers(path: string): { shape: number[]; values: Float64Array } {
    const shape = this.datasetShape(path, null);
    const values = this.readFloat32(path, null, shape);
    return { shape, values: Float64Array.from(values) };
  }
}

/** Runs a jsfive call; whatever it throws on a corrupt file becomes a ModelFileError. */
function guard<T>(file: string, layer: string | null, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new ModelFileError(file, layer, `corrupt or unsupported HDF5 content reading ${what}: ${reason}`);
  }
}

function decodeAttr(value: unknown): unknown {
  if (typeof value === 'string') return stripNul(value);
  if (value instanceof Uint8Array) return stripNul(new TextDecoder().decode(value));
  if (Array.isArray(value)) return value.map((v) => decodeAttr(v));
  return value;
}

// h5py writes fixed-length strings NUL-padded ('lstm_1/bias:0\0\0').
function stripNul(s: string): string {
  const end = s.indexOf('\0');
  return end < 0 ? s : s.slice(0, end);
}
