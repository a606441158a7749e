// Saving: a Keras 3 .keras file (so Keras 3 can load it, and loadModel reads it back bit-exact)
// or a TF.js layers-model directory (model.json + weights.bin).
import * as fs from 'fs';
import * as path from 'path';
import { ModelFileError, StateError } from '../errors';
import { Layer } from '../layers/layer';
import type { Sequential } from '../models/sequential';
import { H5Tree, writeHdf5 } from './containers/hdf5-writer';
import { writeZip } from './containers/zip';
import { ConfigStyle, layerToConfig } from './config-writer';
import { KERAS_MEMBERS, keras3LayerKeys, keras3Objects } from './formats/keras3';

/** The Keras version whose .keras layout rnnkit writes (and whose layer semantics it follows). */
export const KERAS_FORMAT_VERSION = '3.16.0';
const RNNKIT_VERSION: string = (require('../../package.json') as { version: string }).version;

function builtLayers(model: Sequential, file: string): { layers: Layer[]; inputShape: (number | null)[] } {
  if (!model.built || !model.inputShape) {
    throw new StateError(`${model.name}: build the model (give it an input shape) before saving it to ${file}`);
  }
  return { layers: model.layers, inputShape: model.inputShape };
}

function layerInputShapes(layers: Layer[], inputShape: (number | null)[]): (number | null)[][] {
  const shapes: (number | null)[][] = [];
  let shape = inputShape;
  for (const layer of layers) {
    shapes.push(shape);
    shape = layer.computeOutputShape(shape) as (number | null)[];
  }
  return shapes;
}

/** config.json of a Sequential model in Keras 3's form. */
export function keras3ModelConfig(model: Sequential, file: string): Record<string, unknown> {
  const { layers, inputShape } = builtLayers(model, file);
  const shapes = layerInputShapes(layers, inputShape);
  const input = {
    module: 'keras.layers',
    class_name: 'InputLayer',
    config: { batch_shape: inputShape, dtype: 'float32', sparse: false, ragged: false, name: 'input_layer' },
    registered_name: null,
  };
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: model.name,
      trainable: true,
      dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
      layers: [input, ...layers.map((l, i) => layerToConfig(file, l, 'keras3', shapes[i]))],
      build_input_shape: inputShape,
    },
    registered_name: null,
    build_config: { input_shape: inputShape },
  };
}

/** model.weights.h5: layers/<snake class>[_n]/... /vars/0, 1, ... and an empty vars group at each level. */
function keras3WeightTree(model: Sequential): H5Tree {
  const layersGroup: H5Tree = {};
  const keys = keras3LayerKeys(model.layers.map((l) => l.className));
  for (const [i, layer] of model.layers.entries()) {
    const key = keys[i];
    const node: H5Tree = {};
    layersGroup[key] = node;
    let offset = 0;
    const weights = layer.getWeights();
    // Each object's vars group carries its name, as Keras 3.8+ writes it.
    for (const { path, name: owner, weights: count } of keras3Objects(layer, key)) {
      let at = node;
      for (const part of path.split('/').slice(1)) {
        at[part] ??= {};
        at = at[part] as H5Tree;
      }
      at.vars = { '@name': owner };
      at = at.vars;
      for (let i = 0; i < count; i++) {
        const w = weights[offset++];
        at[String(i)] = { shape: w.shape, values: w.data };
      }
    }
  }
  return { layers: layersGroup, vars: { '@name': model.name } };
}

/** The bytes of a .keras file for `model`. */
export async function kerasFileBytes(model: Sequential, file = '<buffer>'): Promise<Uint8Array> {
  const config = keras3ModelConfig(model, file);
  const metadata = { keras_version: KERAS_FORMAT_VERSION, date_saved: new Date().toISOString().slice(0, 19).replace('T', '@'), saved_by: `rnnkit ${RNNKIT_VERSION}` };
  const weights = await writeHdf5(keras3WeightTree(model));
  return writeZip([
    [KERAS_MEMBERS.metadata, JSON.stringify(metadata)],
    [KERAS_MEMBERS.config, JSON.stringify(config)],
    [KERAS_MEMBERS.weights, weights],
  ]);
}

/** model.json and weights.bin of a TF.js layers model. */
export function tfjsFiles(model: Sequential, dir: string): { modelJson: string; weights: Uint8Array } {
  const { layers, inputShape } = builtLayers(model, dir);
  const shapes = layerInputShapes(layers, inputShape);
  const style: ConfigStyle = 'tfjs';
  const configs = layers.map((l, i) => layerToConfig(dir, l, style, shapes[i], i === 0 ? inputShape : null));
  const entries: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const arrays: Float32Array[] = [];
  for (const layer of layers) {
    const values = layer.getWeights();
    layer.weights.forEach((w, i) => {
      // Bidirectional's forward_kernel -> <layer>/forward_<inner>/kernel, as TF.js names it.
      const direction = /^(forward|backward)_(.*)$/.exec(w.name);
      const inner = direction ? (direction[1] === 'forward' ? (layer as unknown as { forwardLayer: Layer }).forwardLayer : (layer as unknown as { backwardLayer: Layer }).backwardLayer) : null;
      const name = inner ? `${layer.name}/${inner.name}/${direction![2]}` : `${layer.name}/${w.name}`;
      entries.push({ name, shape: [...w.shape], dtype: 'float32' });
      arrays.push(values[i].data);
    });
  }
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const weights = new Uint8Array(total * 4);
  const view = new DataView(weights.buffer);
  let offset = 0;
  for (const a of arrays) for (const v of a) view.setFloat32((offset++) * 4, v, true);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `rnnkit ${RNNKIT_VERSION}`,
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: model.name, layers: configs },
      keras_version: `rnnkit ${RNNKIT_VERSION}`,
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: entries }],
  };
  return { modelJson: JSON.stringify(modelJson), weights };
}

export interface SaveOptions {
  /** 'keras' (a .keras zip) or 'tfjs' (a directory with model.json and weights.bin); by default from the path. */
  format?: 'keras' | 'tfjs';
}

/** Saves to `target`: a path ending in .keras, or a TF.js directory (format 'tfjs' or a 'file://' URL). */
export async function saveModel(model: Sequential, target: string, options: SaveOptions = {}): Promise<void> {
  if (typeof target !== 'string' || target === '') throw new ModelFileError(String(target), null, 'save needs a file path');
  const tfjsUrl = target.startsWith('file://');
  const format = options.format ?? (tfjsUrl ? 'tfjs' : target.endsWith('.keras') ? 'keras' : null);
  if (format === 'keras') {
    if (!target.endsWith('.keras')) throw new ModelFileError(target, null, "a Keras 3 model file's name must end in .keras");
    const bytes = await kerasFileBytes(model, target);
    fs.writeFileSync(target, bytes);
    return;
  }
  if (format === 'tfjs') {
    const dir = tfjsUrl ? target.slice('file://'.length) : target;
    const { modelJson, weights } = tfjsFiles(model, dir);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'model.json'), modelJson);
    fs.writeFileSync(path.join(dir, 'weights.bin'), weights);
    return;
  }
  if (target.endsWith('.h5')) {
    throw new ModelFileError(target, null, 'rnnkit writes Keras 3 .keras files (Keras 3 reads them); legacy .h5 writing is not supported');
  }
  throw new ModelFileError(target, null, "unknown save format: use a path ending in .keras, or { format: 'tfjs' } (or a file:// URL) for a TF.js directory");
}
