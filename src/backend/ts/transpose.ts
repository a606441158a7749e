// The transposes the backward passes feed to sgemm (which takes row-major, untransposed operands).

/** out (cols x rows) = a^T, a being rows x cols with row stride ld, starting at offset. */
export function transpose(a: Float32Array, offset: number, rows: number, cols: number, ld: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[offset + i * ld + j];
  return out;
}
