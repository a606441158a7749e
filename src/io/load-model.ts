// loadModel: reads a Keras or TF.js model file, recognised by its content, into a Sequential.
import * as fs from 'fs';
import * as path from 'path';
import { InputTypeError, ModelFileError, RnnkitError, describeValue } from '../errors';
import { Bidirectional } from '../layers/bidirectional';
import { Dense } from '../layers/dense';
import { Embedding } from '../layers/embedding';
import { InputLayer } from '../layers/input-layer';
import { Layer, withoutInitializers } from '../layers/layer';
import { BaseRNN } from '../layers/rnn';
import { Shape } from '../layers/shapes';
import { TimeDistributed } from '../layers/time-distributed';
import { Sequential } from '../models/sequential';
import { isHdf5 } from './containers/hdf5-reader';
import { isZip } from './containers/zip';
import type { ModelFileContents, ModelFormat } from './formats/contents';
import { keras3LayerKeys, readKeras3 } from './formats/keras3';
import { readLegacyH5 } from './formats/legacy-h5';
import { readTfjs } from './formats/tfjs';
import { dialectOf, layerFromConfig } from './keras-config';
import { modelSpecFromConfig } from './model-config';
import { WeightOrigin, bindWeights } from './weights';

export interface LoadModelOptions {
  /** Refuse files (and zip members, weight groups) larger than this many bytes (default 2 GiB). */
  maxBytes?: number;
}

export interface LoadedModelFile {
  model: Sequential;
  format: ModelFormat;
  file: string;
  kerasVersion: string | undefined;
  /** Where each weight came from. */
  weights: WeightOrigin[];
}

const DEFAULT_MAX_BYTES = 2 ** 31;

type Source = string | Uint8Array | ArrayBuffer;

function readFileChecked(file: string, maxBytes: number): Uint8Array {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new ModelFileError(file, null, `cannot read the file: ${(e as Error).message}`);
  }
  if (stat.isDirectory()) {
    const json = path.join(file, 'model.json');
    if (fs.existsSync(json)) return readFileChecked(json, maxBytes);
    throw new ModelFileError(file, null, 'is a directory without a model.json (a TF.js model directory holds one)');
  }
  if (stat.size > maxBytes) throw new ModelFileError(file, null, `is ${stat.size} bytes, over the ${maxBytes}-byte limit (option maxBytes)`);
  return new Uint8Array(fs.readFileSync(file));
}

function looksLikeJson(bytes: Uint8Array): boolean {
  for (const b of bytes.subarray(0, 64)) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b; // '{'
  }
  return false;
}

/** Opens a file or buffer as the format its first bytes say it is. */
function openContents(source: Source, maxBytes: number): ModelFileContents {
  let bytes: Uint8Array;
  let file: string;
  let dir: string | null = null;
  if (typeof source === 'string') {
    file = source;
    const isDir = fs.existsSync(source) && fs.statSync(source).isDirectory();
    dir = isDir ? source : path.dirname(source);
    bytes = readFileChecked(source, maxBytes);
  } else if (source instanceof Uint8Array || source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    file = '<buffer>';
    bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array((source as Uint8Array).buffer, (source as Uint8Array).byteOffset, (source as Uint8Array).byteLength);
    if (bytes.length > maxBytes) throw new ModelFileError(file, null, `is ${bytes.length} bytes, over the ${maxBytes}-byte limit (option maxBytes)`);
  } else {
    throw new InputTypeError(`loadModel: expected a file path or a buffer (Uint8Array, Buffer, ArrayBuffer), got ${describeValue(source)}`);
  }
  if (isZip(bytes)) return readKeras3(bytes, file, maxBytes);
  if (isHdf5(bytes)) return readLegacyH5(bytes, file);
  if (looksLikeJson(bytes)) {
    const shardDir = dir;
    const readShard = shardDir === null ? null : (name: string) => readFileChecked(path.join(shardDir, name), maxBytes);
    return readTfjs(bytes, typeof source === 'string' && dir === source ? path.join(source, 'model.json') : file, readShard, maxBytes);
  }
  if (bytes.length === 0) throw new ModelFileError(file, null, 'is empty');
  throw new ModelFileError(file, null, 'is not a model file: expected a Keras .keras zip, a Keras .h5 (HDF5) or a TF.js model.json');
}

/** An upper bound on the parameters a layer will allocate for an input with `features` last. */
function parameterBound(layer: Layer, features: number): number {
  if (layer instanceof Bidirectional) return parameterBound(layer.forwardLayer, features) * 2;
  if (layer instanceof BaseRNN) return 4 * layer.units * (features + layer.units + 2);
  if (layer instanceof TimeDistributed) return parameterBound(layer.layer, features);
  if (layer instanceof Dense) return layer.units * (features + 1);
  if (layer instanceof Embedding) return layer.inputDim * layer.outputDim;
  return 0;
}

function buildModel(contents: ModelFileContents): LoadedModelFile {
  const { file } = contents;
  const wrap = <T>(layer: string | null, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ModelFileError) throw e;
      if (e instanceof RnnkitError) throw new ModelFileError(file, layer, e.message);
      if (e instanceof RangeError) throw new ModelFileError(file, layer, `out of memory or too large: ${e.message}`);
      throw e;
    }
  };
  const spec = wrap(null, () => modelSpecFromConfig(contents.modelConfig));
  const dialect = dialectOf(contents.kerasVersion);
  const layers = spec.layers.map((l) => {
    const name = typeof l.config?.name === 'string' ? l.config.name : l.class_name;
    return wrap(name, () => layerFromConfig(l, dialect));
  });
  if (layers.length === 0) throw new ModelFileError(file, null, 'the model has no layers');
  const inputShape = spec.batchInputShape ?? layers[0].batchInputShape;
  if (!inputShape) throw new ModelFileError(file, layers[0].name, 'the config declares no input shape, so the weights cannot be laid out');
  // Refuse a config asking for more parameters than the file could hold, before allocating them.
  let shape: Shape = wrap(null, () => new InputLayer({ batchInputShape: inputShape }).batchInputShape!);
  let bound = 0;
  for (const layer of layers) {
    const features = shape[shape.length - 1] ?? 0;
    bound += parameterBound(layer, features);
    if (bound > contents.weightBytes / 4 + 1e6) {
      throw new ModelFileError(file, layer.name, `the config asks for up to ${bound} weights, more than the file's ${contents.weightBytes} bytes of weights can hold`);
    }
    const out = wrap(layer.name, () => layer.computeOutputShape(shape));
    if (Array.isArray(out[0])) break; // Sequential.build reports multi-output layers
    shape = out as Shape;
  }
  const name = typeof spec.name === 'string' && spec.name !== '' ? spec.name : undefined;
  const model = wrap(null, () => new Sequential([], name ? { name } : {}));
  // Every weight is set from the file below (bindWeights checks the count), so skip drawing them.
  wrap(null, () =>
    withoutInitializers(() => {
      model.add(new InputLayer({ batchInputShape: inputShape }));
      layers.forEach((l) => model.add(l));
    }),
  );
  const paths = keras3LayerKeys(spec.layers.map((l) => l.class_name)).map((key) => `layers/${key}`);
  const origins: WeightOrigin[] = [];
  layers.forEach((layer, i) => {
    const stored = wrap(layer.name, () => contents.weightsFor({ layer, spec: spec.layers[i], keras3Path: paths[i] }));
    origins.push(...wrap(layer.name, () => bindWeights(file, layer, spec.layers[i].class_name, stored)));
  });
  return { model, format: contents.format, file, kerasVersion: contents.kerasVersion, weights: origins };
}

/** loadModel with what inspect reports: the format, the Keras version, where each weight came from. */
export function readModelFile(source: Source, options: LoadModelOptions = {}): LoadedModelFile {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof maxBytes !== 'number' || !(maxBytes > 0)) throw new InputTypeError(`loadModel: maxBytes must be a positive number, got ${describeValue(maxBytes)}`);
  return buildModel(openContents(source, maxBytes));
}

/**
 * Loads a model saved by Keras (.keras, legacy .h5) or TF.js (a model.json path or its directory),
 * recognised by content. Sequential models and Functional models that are a single chain of layers.
 */
export async function loadModel(source: Source, options: LoadModelOptions = {}): Promise<Sequential> {
  return readModelFile(source, options).model;
}
