// TF.js layers models: model.json ({ modelTopology, weightsManifest }) and binary weight shards.
// Each manifest group's shards, concatenated, hold its weights back to back (little-endian);
// weights are bound to layers by name (<layer>/[forward_|backward_...]/<kernel|...>), as TF.js does.
import { ModelFileError } from '../../errors';
import type { StoredWeight } from '../weights';
import type { LayerRef, ModelFileContents } from './contents';
import { parseJson } from './legacy-h5';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bytesPerValue(entry: ManifestEntry): number {
  const q = entry.quantization?.dtype;
  if (q === 'uint8') return 1;
  if (q === 'uint16' || q === 'float16') return 2;
  return 4;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decode(file: string, entry: ManifestEntry, bytes: Uint8Array): Float32Array {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const q = entry.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    if ((q.dtype === 'uint8' || q.dtype === 'uint16') && typeof q.min === 'number' && typeof q.scale === 'number') {
      for (let i = 0; i < count; i++) out[i] = (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true)) * q.scale + q.min;
      return out;
    }
    throw new ModelFileError(file, null, `weight '${entry.name}' has an unsupported quantization ${JSON.stringify(q)}`);
  }
  if (entry.dtype !== 'float32') throw new ModelFileError(file, null, `weight '${entry.name}' must be float32, the manifest says ${JSON.stringify(entry.dtype)}`);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

function checkEntry(file: string, raw: unknown): ManifestEntry {
  const e = raw as ManifestEntry;
  const ok =
    isObject(raw) &&
    typeof e.name === 'string' &&
    Array.isArray(e.shape) &&
    e.shape.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 31) &&
    typeof e.dtype === 'string';
  if (!ok) throw new ModelFileError(file, null, `malformed weightsManifest entry ${JSON.stringify(raw)?.slice(0, 200)}`);
  return e;
}

/** Shard names are plain relative file names: no directories above the model, no absolute paths. */
function checkShardPath(file: string, p: unknown): string {
  if (typeof p !== 'string' || p === '' || p.startsWith('/') || p.includes('\\') || p.split('/').includes('..') || /^[a-z]+:/i.test(p)) {
    throw new ModelFileError(file, null, `weight shard path ${JSON.stringify(p)} must be a file name next to model.json`);
  }
  return p;
}

/**
 * @param readShard reads a shard next to model.json; null when the model came from memory.
 */
export function readTfjs(
  jsonBytes: Uint8Array,
  file: string,
  readShard: ((relative: string) => Uint8Array) | null,
  maxBytes: number,
): ModelFileContents {
  const json = parseJson(file, new TextDecoder().decode(jsonBytes), 'model.json');
  if (!isObject(json) || !isObject(json.modelTopology)) {
    throw new ModelFileError(file, null, 'not a TF.js layers model: model.json has no modelTopology object');
  }
  const topology = json.modelTopology;
  // The converter wraps the model: { model_config, keras_version, ... }; tfjs-layers saves it bare.
  const modelConfig = isObject(topology.model_config) ? topology.model_config : topology;
  const kerasVersion = typeof topology.keras_version === 'string' ? topology.keras_version : undefined;
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new ModelFileError(file, null, 'weightsManifest must be a list of weight groups');

  const weights = new Map<string, StoredWeight>();
  let weightBytes = 0;
  for (const [g, group] of manifest.entries()) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(file, null, `weightsManifest group ${g} must have paths and weights lists`);
    }
    const entries = group.weights.map((w) => checkEntry(file, w));
    const needed = entries.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1) * bytesPerValue(e), 0);
    if (needed > maxBytes) throw new ModelFileError(file, null, `weight group ${g} needs ${needed} bytes, over the ${maxBytes}-byte limit (option maxBytes)`);
    if (entries.length === 0) continue;
    if (!readShard) throw new ModelFileError(file, null, 'a TF.js model read from memory has no weight files: load it from its model.json path');
    const shards = group.paths.map((p) => readShard(checkShardPath(file, p)));
    const total = shards.reduce((n, s) => n + s.length, 0);
    if (total !== needed) {
      throw new ModelFileError(file, null, `weight group ${g} (${group.paths.join(', ')}) holds ${total} bytes, its manifest needs ${needed}`);
    }
    const buffer = new Uint8Array(total);
    let offset = 0;
    for (const s of shards) {
      buffer.set(s, offset);
      offset += s.length;
    }
    weightBytes += total;
    offset = 0;
    for (const e of entries) {
      const size = e.shape.reduce((a, b) => a * b, 1) * bytesPerValue(e);
      if (weights.has(e.name)) throw new ModelFileError(file, null, `weight '${e.name}' appears twice in the manifest`);
      weights.set(e.name, { source: e.name, shape: [...e.shape], values: decode(file, e, buffer.subarray(offset, offset + size)) });
      offset += size;
    }
  }
  return { format: 'tfjs', file, kerasVersion, modelConfig, weightBytes: weightBytes * 4, weightsFor: (ref) => tfjsLayerWeights(file, weights, ref) };
}

/** The manifest entries of one layer, in the order of the rnnkit layer's weights. */
function tfjsLayerWeights(file: string, all: Map<string, StoredWeight>, ref: LayerRef): StoredWeight[] {
  const name = typeof ref.spec.config?.name === 'string' ? ref.spec.config.name : ref.layer.name;
  const own = [...all.values()].filter((w) => w.source.startsWith(`${name}/`));
  const used = new Set<StoredWeight>();
  const result = ref.layer.weights.map((w) => {
    // rnnkit names Bidirectional's weights forward_kernel / backward_kernel.
    const direction = /^(forward|backward)_/.exec(w.name)?.[1];
    const base = direction ? w.name.slice(direction.length + 1) : w.name;
    const match = own.find((s) => {
      const parts = s.source.slice(name.length + 1).split('/');
      const last = parts[parts.length - 1].replace(/:\d+$/, '');
      const inDirection = direction ? parts.slice(0, -1).some((p) => p.startsWith(direction)) : true;
      return last === base && inDirection && !used.has(s);
    });
    if (!match) {
      throw new ModelFileError(file, name, `no weight for ${w.name} in the manifest (the layer's entries: ${own.map((s) => s.source).join(', ') || 'none'})`);
    }
    used.add(match);
    return match;
  });
  const extra = own.filter((s) => !used.has(s));
  if (extra.length > 0) throw new ModelFileError(file, name, `the manifest has weights the layer does not: ${extra.map((s) => s.source).join(', ')}`);
  return result;
}
