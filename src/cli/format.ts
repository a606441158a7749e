// numpy-like printing of tensors for the demo: [[-0.7324636   0.95256203 -0.9984306 ]]
import { Tensor } from '../tensor';

/** The shortest decimal that reads back as the same float32, as numpy prints float32 values. */
function formatNumber(v: number): string {
  if (v === 0) return '0.';
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) {
      if (s.includes('e')) return Number(s).toExponential();
      return s.includes('.') ? s : `${s}.`;
    }
  }
  return String(v);
}

export function formatTensor(t: Tensor): string {
  const cells = Array.from(t.data, formatNumber);
  const width = Math.max(...cells.map((c) => c.length));
  const pad = (c: string) => c.padStart(width);
  const render = (dim: number, offset: number, indent: number): string => {
    const n = t.shape[dim];
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    if (dim === t.shape.length - 1) return `[${cells.slice(offset, offset + n).map(pad).join(' ')}]`;
    const parts = Array.from({ length: n }, (_, i) => render(dim + 1, offset + i * stride, indent + 1));
    const sep = '\n'.repeat(t.shape.length - dim - 1) + ' '.repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0, 0);
}

export function formatShapeTuple(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
