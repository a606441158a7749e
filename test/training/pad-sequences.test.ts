// padSequences follows keras.utils.pad_sequences (keras/src/utils/sequence_utils.py) with its
// default dtype int32, returning a float32 Tensor of shape (n, maxlen).
import { InputTypeError, ValueError } from '../../src/errors';
import { padSequences } from '../../src/preprocessing';
import { Tensor } from '../../src/tensor';
import { expectError } from '../helpers/errors';

describe("Keras's docstring examples", () => {
  const sequence = [[1], [2, 3], [4, 5, 6]];

  test('pads before, with 0, to the longest sequence by default', () => {
    expect(padSequences(sequence).toArray()).toEqual([
      [0, 0, 1],
      [0, 2, 3],
      [4, 5, 6],
    ]);
  });

  test('value sets the padding value', () => {
    expect(padSequences(sequence, { value: -1 }).toArray()).toEqual([
      [-1, -1, 1],
      [-1, 2, 3],
      [4, 5, 6],
    ]);
  });

  test("padding: 'post' pads after", () => {
    expect(padSequences(sequence, { padding: 'post' }).toArray()).toEqual([
      [1, 0, 0],
      [2, 3, 0],
      [4, 5, 6],
    ]);
  });

  test('maxlen shorter than a sequence cuts its start by default', () => {
    expect(padSequences(sequence, { maxlen: 2 }).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [5, 6],
    ]);
  });
});

describe('padSequences', () => {
  test('returns a Tensor of shape (number of sequences, maxlen)', () => {
    const out = padSequences([[1, 2], [3]], { maxlen: 4 });
    expect(out).toBeInstanceOf(Tensor);
    expect(out.shape).toEqual([2, 4]);
    expect(out.data).toBeInstanceOf(Float32Array);
  });

  test("truncating: 'post' cuts the end of a longer sequence", () => {
    expect(padSequences([[1, 2, 3, 4]], { maxlen: 2, truncating: 'post' }).toArray()).toEqual([[1, 2]]);
  });

  test('truncating and padding are independent: cut the end, pad after', () => {
    expect(padSequences([[1, 2, 3], [4]], { maxlen: 2, truncating: 'post', padding: 'post' }).toArray()).toEqual([
      [1, 2],
      [4, 0],
    ]);
  });

  test('maxlen longer than every sequence pads them all', () => {
    expect(padSequences([[7], [8, 9]], { maxlen: 4 }).toArray()).toEqual([
      [0, 0, 0, 7],
      [0, 0, 8, 9],
    ]);
  });

  test('an empty sequence becomes a row of the padding value', () => {
    expect(padSequences([[], [1, 2]], { value: 9 }).toArray()).toEqual([
      [9, 9],
      [1, 2],
    ]);
  });

  test('only empty sequences give rows of length 0', () => {
    expect(padSequences([[], []]).shape).toEqual([2, 0]);
  });

  test('maxlen 0 gives rows of length 0', () => {
    expect(padSequences([[1, 2], [3]], { maxlen: 0 }).shape).toEqual([2, 0]);
  });

  test('no sequences with a maxlen give shape (0, maxlen)', () => {
    expect(padSequences([], { maxlen: 3 }).shape).toEqual([0, 3]);
  });

  test('no sequences and no maxlen is a ValueError (Keras: max of an empty array)', () => {
    expectError(() => padSequences([]), ValueError, 'maxlen must be given');
  });

  test('fractional ids and padding value are truncated toward zero, as the int32 dtype of Keras does', () => {
    expect(padSequences([[1.7, -2.7]], { maxlen: 3, value: -1.5 }).toArray()).toEqual([[-1, 1, -2]]);
  });

  test('a null maxlen means the longest sequence', () => {
    expect(padSequences([[1, 2, 3], [4]], { maxlen: null }).shape).toEqual([2, 3]);
  });

  test('the input arrays are left unchanged', () => {
    const input = [[1, 2, 3], [4]];
    padSequences(input, { maxlen: 2, truncating: 'post' });
    expect(input).toEqual([[1, 2, 3], [4]]);
  });
});

describe('padSequences bad input', () => {
  test('sequences that are not an array are an InputTypeError', () => {
    expectError(() => padSequences('123' as unknown as number[][]), InputTypeError, 'array of sequences', 'the string "123"');
  });

  test('a sequence that is not an array is an InputTypeError naming its place', () => {
    expectError(() => padSequences([[1], 2] as unknown as number[][]), InputTypeError, 'sequences[1]', 'number 2');
  });

  test('an id that is not a number is an InputTypeError naming its place', () => {
    expectError(() => padSequences([[1, '2']] as unknown as number[][]), InputTypeError, 'sequences[0][1]', 'the string "2"');
  });

  test.each([NaN, Infinity])('an id of %p is a ValueError', (id) => {
    expectError(() => padSequences([[1], [id]]), ValueError, 'sequences[1][0] must be a finite number');
  });

  test('an id outside int32 is a ValueError', () => {
    expectError(() => padSequences([[2 ** 31]]), ValueError, 'int32', '2147483648');
  });

  test.each([-1, 2.5])('maxlen %p is a ValueError', (maxlen) => {
    expectError(() => padSequences([[1]], { maxlen }), ValueError, 'maxlen must be an integer >= 0', String(maxlen));
  });

  test('maxlen that is not a number is an InputTypeError', () => {
    expectError(() => padSequences([[1]], { maxlen: '2' as unknown as number }), InputTypeError, 'maxlen', 'the string "2"');
  });

  test("padding other than 'pre' or 'post' is a ValueError", () => {
    expectError(() => padSequences([[1]], { padding: 'middle' as 'pre' }), ValueError, "padding must be 'pre' or 'post'", 'middle');
  });

  test("truncating other than 'pre' or 'post' is a ValueError, even when nothing is truncated", () => {
    expectError(() => padSequences([[]], { truncating: 'end' as 'pre' }), ValueError, "truncating must be 'pre' or 'post'", 'end');
  });

  test('a value that is not a number is an InputTypeError', () => {
    expectError(() => padSequences([[1]], { value: '0' as unknown as number }), InputTypeError, 'value must be a number');
  });

  test('a NaN value is a ValueError', () => {
    expectError(() => padSequences([[1]], { value: NaN }), ValueError, 'value must be a finite number');
  });

  test('an unknown option is a ValueError listing the known ones', () => {
    expectError(() => padSequences([[1]], { dtype: 'int32' } as never), ValueError, "unknown option 'dtype'", 'maxlen, padding, truncating, value');
  });
});
