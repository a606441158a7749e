// Keras 1/2, tf.keras 2 and Keras 3 legacy .h5: the root attribute model_config holds the model's
// JSON; model_weights/<layer name> holds each layer's weights, listed in order by the group's
// weight_names attribute.
import { ModelFileError } from '../../errors';
import { Hdf5Reader } from '../containers/hdf5-reader';
import type { StoredWeight } from '../weights';
import type { LayerRef, ModelFileContents } from './contents';

export function readLegacyH5(bytes: Uint8Array, file: string): ModelFileContents {
  const h5 = Hdf5Reader.open(bytes, file);
  const configText = h5.stringAttr('', 'model_config');
  if (configText === undefined) {
    const hint = h5.isGroup('model_weights') || h5.attr('', 'layer_names') !== undefined ? ' (it holds weights only: save_weights output)' : '';
    throw new ModelFileError(file, null, `not a Keras model file: the HDF5 root has no model_config attribute${hint}`);
  }
  const modelConfig = parseJson(file, configText, 'the model_config attribute');
  const root = h5.isGroup('model_weights') ? 'model_weights' : '';
  const kerasVersion = h5.stringAttr('', 'keras_version') ?? h5.stringAttr(root, 'keras_version');
  return {
    format: 'h5',
    file,
    kerasVersion,
    modelConfig,
    weightBytes: bytes.length,
    weightsFor: (ref) => legacyLayerWeights(h5, root, ref),
  };
}

function legacyLayerWeights(h5: Hdf5Reader, root: string, ref: LayerRef): StoredWeight[] {
  const name = typeof ref.spec.config?.name === 'string' ? ref.spec.config.name : ref.layer.name;
  const group = root ? `${root}/${name}` : name;
  if (!h5.isGroup(group, name)) {
    if (ref.layer.weights.length === 0) return [];
    throw new ModelFileError(h5.file, name, `no weight group '${group}' in the file`);
  }
  const names = h5.attr(group, 'weight_names', name);
  const list = names === undefined ? [] : Array.isArray(names) ? names : [names];
  if (!list.every((n): n is string => typeof n === 'string')) {
    throw new ModelFileError(h5.file, name, `the weight_names attribute of '${group}' must list strings`);
  }
  return list.map((weightName) => {
    const path = `${group}/${weightName}`;
    const shape = h5.datasetShape(path, name);
    return { source: path, shape, values: h5.readFloat32(path, name, shape) };
  });
}

export function parseJson(file: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(file, null, `${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
