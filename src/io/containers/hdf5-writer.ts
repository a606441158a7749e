// Writes HDF5 files with h5wasm (the HDF5 C library compiled to WebAssembly): h5py, and so Keras,
// reads what it writes. h5wasm is an ES module, loaded on first use; it writes through the file
// system, so the file goes to a private temporary directory and is read back as bytes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * A tree to write: groups hold groups and float32 datasets (values with their shape); a key
 * starting with '@' is a string attribute of the group ('@name': 'lstm').
 */
export interface H5Tree {
  [name: string]: H5Tree | { shape: number[]; values: Float32Array } | string;
}

const isDataset = (v: unknown): v is { shape: number[]; values: Float32Array } =>
  typeof v === 'object' && v !== null && (v as { values?: unknown }).values instanceof Float32Array;

type H5Module = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } });
let loading: Promise<H5Module['default']> | null = null;

function h5wasm(): Promise<H5Module['default']> {
  loading ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return loading;
}

/** The HDF5 bytes of `tree`, groups and datasets created in the order the tree lists them. */
export async function writeHdf5(tree: H5Tree): Promise<Uint8Array> {
  const h5 = await h5wasm();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-h5-'));
  const file = path.join(dir, 'weights.h5');
  try {
    const f = new h5.File(file, 'w');
    try {
      const fill = (group: InstanceType<typeof h5.Group>, node: H5Tree): void => {
        for (const [name, child] of Object.entries(node)) {
          if (typeof child === 'string') {
            group.create_attribute(name.slice(1), child);
          } else if (isDataset(child)) {
            group.create_dataset({ name, data: child.values, shape: child.shape, dtype: '<f4' });
          } else {
            fill(group.create_group(name), child);
          }
        }
      };
      fill(f, tree);
    } finally {
      f.close();
    }
    return new Uint8Array(fs.readFileSync(file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
