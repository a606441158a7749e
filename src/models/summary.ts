// The Keras model summary table (tf.keras 2.x layout: 65 columns, split at 29 / 55 / 65).
import { formatShape } from '../errors';
import { Shape } from '../layers/shapes';

export interface SummaryRow {
  name: string;
  className: string;
  outputShape: Shape | Shape[];
  params: number;
  trainable: boolean;
}

export interface SummaryOptions {
  lineLength?: number;
  /** Relative column ends (default [0.45, 0.85, 1]). */
  positions?: number[];
  /** Where the lines go (default console.log); pass () => {} to only get the string. */
  printFn?: (line: string) => void;
}

const formatCount = (n: number): string => n.toLocaleString('en-US');

function formatOutputShape(shape: Shape | Shape[]): string {
  const isList = shape.length > 0 && Array.isArray(shape[0]);
  return isList ? `[${(shape as Shape[]).map(formatShape).join(', ')}]` : formatShape(shape as Shape);
}

/** One table row; long cells wrap onto following lines as Keras's print_row does. */
function formatRow(fields: string[], ends: number[]): string[] {
  const left = [...fields];
  const lines: string[] = [];
  while (left.some((f) => f.length > 0)) {
    let line = '';
    left.forEach((field, col) => {
      const start = col > 0 ? ends[col - 1] : 0;
      const space = col !== ends.length - 1 ? 2 : 0;
      let cutoff = ends[col] - start - space;
      let fit = field.slice(0, cutoff);
      const breaks = ['),', '},', '],', "',"].map((b) => (fit.indexOf(b) >= 0 ? fit.indexOf(b) + b.length : -1)).filter((i) => i >= 0);
      if (breaks.length > 0) {
        cutoff = Math.min(...breaks);
        fit = fit.slice(0, cutoff);
      }
      if (col === 0) line += ' ';
      line += fit + ' '.repeat(space);
      left[col] = field.slice(cutoff);
      line += ' '.repeat(Math.max(0, ends[col] - line.length));
    });
    lines.push(line);
  }
  return lines;
}

/** Builds the summary text of a sequential model and prints it line by line. */
export function renderSummary(modelName: string, rows: SummaryRow[], options: SummaryOptions = {}): string {
  const lineLength = options.lineLength ?? 65;
  const ends = (options.positions ?? [0.45, 0.85, 1]).map((p) => Math.floor(lineLength * p));
  const total = rows.reduce((n, r) => n + r.params, 0);
  const trainable = rows.reduce((n, r) => n + (r.trainable ? r.params : 0), 0);
  const lines: string[] = [`Model: "${modelName}"`, '_'.repeat(lineLength)];
  lines.push(...formatRow(['Layer (type)', 'Output Shape', 'Param #'], ends));
  lines.push('='.repeat(lineLength));
  for (const row of rows) {
    lines.push(...formatRow([`${row.name} (${row.className})`, formatOutputShape(row.outputShape), String(row.params)], ends));
    lines.push(' '.repeat(lineLength));
  }
  lines.push('='.repeat(lineLength));
  lines.push(`Total params: ${formatCount(total)}`);
  lines.push(`Trainable params: ${formatCount(trainable)}`);
  lines.push(`Non-trainable params: ${formatCount(total - trainable)}`);
  lines.push('_'.repeat(lineLength));
  const print = options.printFn ?? ((line: string) => console.log(line));
  lines.forEach((l) => print(l));
  return lines.join('\n');
}
