// rnnkit inspect <file>: what a model file holds, as rnnkit reads it: the format and Keras version,
// the summary table, and each weight with the place in the file it came from.
import { readModelFile } from '../io/load-model';

export function inspectModel(file: string): string {
  const loaded = readModelFile(file);
  const lines: string[] = [];
  const formats = { keras: 'Keras 3 .keras', h5: 'Keras legacy HDF5 (.h5)', tfjs: 'TF.js layers model' };
  lines.push(`File: ${loaded.file}`);
  lines.push(`Format: ${formats[loaded.format]}, written by Keras ${loaded.kerasVersion ?? '(version not recorded)'}`);
  lines.push(loaded.model.summary({ printFn: () => {} }));
  lines.push('Weights:');
  const rows = loaded.weights.map((w) => [`${w.layer}/${w.weight}`, `[${w.shape.join(', ')}]`, w.source]);
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length), 0));
  for (const r of rows) lines.push(`  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  <- ${r[2]}`);
  if (rows.length === 0) lines.push('  (none)');
  return lines.join('\n');
}
