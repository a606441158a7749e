// padSequences: Keras's pad_sequences (keras/src/utils/sequence_utils.py), ragged id lists -> one
// (n, maxlen) Tensor, the ids an Embedding takes.
import { InputTypeError, ValueError, describeValue } from '../errors';
import { checkOptionNames } from '../layers/options';
import { Tensor } from '../tensor';

export interface PadSequencesOptions {
  /** The length of every row; default: the longest sequence. */
  maxlen?: number | null;
  /** Where the padding goes: before ('pre', default) or after ('post') the ids. */
  padding?: 'pre' | 'post';
  /** Which end of a longer sequence is cut off: its start ('pre', default) or its end ('post'). */
  truncating?: 'pre' | 'post';
  /** The padding value (default 0). */
  value?: number;
}

const OWNER = 'padSequences';
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Keras's default dtype is int32: numpy casts a fraction toward zero, and a value out of range is an error. */
function toInt32(what: string, value: number): number {
  if (!Number.isFinite(value)) throw new ValueError(`${OWNER}: ${what} must be a finite number, got ${describeValue(value)}`);
  const int = Math.trunc(value);
  if (int < INT32_MIN || int > INT32_MAX) {
    throw new ValueError(`${OWNER}: ${what} must fit in int32 (Keras's default dtype), got ${describeValue(value)}`);
  }
  return int === 0 ? 0 : int; // no -0 from truncating -0.5
}

function checkSide(name: string, value: unknown): 'pre' | 'post' {
  if (value === undefined) return 'pre';
  if (value !== 'pre' && value !== 'post') throw new ValueError(`${OWNER}: ${name} must be 'pre' or 'post', got ${describeValue(value)}`);
  return value;
}

function checkMaxlen(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') throw new InputTypeError(`${OWNER}: maxlen must be a number or null, got ${describeValue(value)}`);
  if (!Number.isInteger(value) || value < 0) throw new ValueError(`${OWNER}: maxlen must be an integer >= 0, got ${describeValue(value)}`);
  return value;
}

/** Every sequence as int32 ids, checked before anything is written. */
function readSequences(sequences: unknown): number[][] {
  if (!Array.isArray(sequences)) {
    throw new InputTypeError(`${OWNER}: expected an array of sequences (arrays of ids), got ${describeValue(sequences)}`);
  }
  return sequences.map((seq: unknown, i) => {
    if (!Array.isArray(seq)) throw new InputTypeError(`${OWNER}: sequences[${i}] must be an array of numbers, got ${describeValue(seq)}`);
    return seq.map((id: unknown, j) => {
      if (typeof id !== 'number') throw new InputTypeError(`${OWNER}: sequences[${i}][${j}] must be a number, got ${describeValue(id)}`);
      return toInt32(`sequences[${i}][${j}]`, id);
    });
  });
}

/**
 * Pads (or truncates) every sequence to one length, as keras.utils.pad_sequences with its defaults
 * (dtype int32: fractional ids are truncated toward zero). Returns a float32 Tensor (n, maxlen).
 */
export function padSequences(sequences: ReadonlyArray<readonly number[]>, options: PadSequencesOptions = {}): Tensor {
  checkOptionNames(OWNER, options, ['maxlen', 'padding', 'truncating', 'value']);
  const opts = options ?? {};
  const padding = checkSide('padding', opts.padding);
  const truncating = checkSide('truncating', opts.truncating);
  if (opts.value !== undefined && typeof opts.value !== 'number') {
    throw new InputTypeError(`${OWNER}: value must be a number, got ${describeValue(opts.value)}`);
  }
  const value = toInt32('value', opts.value ?? 0);
  const rows = readSequences(sequences);
  let maxlen = checkMaxlen(opts.maxlen);
  if (maxlen === null) {
    // Keras takes np.max of the lengths, which has no answer for no sequences.
    if (rows.length === 0) throw new ValueError(`${OWNER}: with no sequences, maxlen must be given, got an empty array and no maxlen`);
    maxlen = rows.reduce((longest, row) => Math.max(longest, row.length), 0);
  }
  const data = new Float32Array(rows.length * maxlen).fill(value);
  rows.forEach((row, i) => {
    const kept = truncating === 'pre' ? row.slice(Math.max(0, row.length - maxlen)) : row.slice(0, maxlen);
    data.set(kept, i * maxlen + (padding === 'pre' ? maxlen - kept.length : 0));
  });
  return new Tensor(data, [rows.length, maxlen]);
}
