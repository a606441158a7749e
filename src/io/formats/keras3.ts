// Keras 3's .keras: a zip of config.json (the model), metadata.json (keras_version) and
// model.weights.h5, where each layer's variables sit at <its path>/vars/0, 1, ... The layer paths
// follow Keras's object tree: layers/<snake_case class>[_n], then cell (recurrent layers),
// forward_layer / backward_layer (Bidirectional), layer (TimeDistributed).
import { ModelFileError } from '../../errors';
import { Bidirectional } from '../../layers/bidirectional';
import { Layer } from '../../layers/layer';
import { snakeCaseName } from '../../layers/naming';
import { BaseRNN } from '../../layers/rnn';
import { TimeDistributed } from '../../layers/time-distributed';
import { Hdf5Reader } from '../containers/hdf5-reader';
import { readZip } from '../containers/zip';
import type { StoredWeight } from '../weights';
import type { ModelFileContents } from './contents';
import { parseJson } from './legacy-h5';

export const KERAS_MEMBERS = { config: 'config.json', metadata: 'metadata.json', weights: 'model.weights.h5' };

/**
 * The objects Keras 3 saves for a layer, each with a `<path>/vars` group named after it: the layer,
 * then its cell (recurrent layers), forward_layer / backward_layer and their cells
 * (Bidirectional), the wrapped layer (TimeDistributed). `weights` is how many of the layer's
 * get_weights() each holds, in order.
 */
export interface Keras3Object {
  path: string;
  name: string;
  weights: number;
}

function rnnObjects(layer: BaseRNN, path: string): Keras3Object[] {
  return [
    { path, name: layer.name, weights: 0 },
    { path: `${path}/cell`, name: `${snakeCaseName(layer.className)}_cell`, weights: layer.weights.length },
  ];
}

/** Keras 3's names for a model's layers in the weights file: lstm, lstm_1, dense, ... by class, in order. */
export function keras3LayerKeys(classNames: string[]): string[] {
  const used = new Map<string, number>();
  return classNames.map((className) => {
    const base = snakeCaseName(className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return n === undefined ? base : `${base}_${n + 1}`;
  });
}

export function keras3Objects(layer: Layer, base: string): Keras3Object[] {
  if (layer instanceof Bidirectional) {
    return [
      { path: base, name: layer.name, weights: 0 },
      ...rnnObjects(layer.forwardLayer, `${base}/forward_layer`),
      ...rnnObjects(layer.backwardLayer, `${base}/backward_layer`),
    ];
  }
  if (layer instanceof BaseRNN) return rnnObjects(layer, base);
  if (layer instanceof TimeDistributed) {
    return [
      { path: base, name: layer.name, weights: 0 },
      { path: `${base}/layer`, name: layer.layer.name, weights: layer.weights.length },
    ];
  }
  return [{ path: base, name: layer.name, weights: layer.weights.length }];
}

export function readKeras3(bytes: Uint8Array, file: string, maxBytes: number): ModelFileContents {
  const members = readZip(bytes, file, (n) => Object.values(KERAS_MEMBERS).includes(n), maxBytes);
  for (const member of [KERAS_MEMBERS.config, KERAS_MEMBERS.weights]) {
    if (!members.has(member)) throw new ModelFileError(file, null, `not a Keras 3 model: the zip has no ${member}`);
  }
  const text = (name: string) => new TextDecoder('utf-8', { fatal: false }).decode(members.get(name));
  const modelConfig = parseJson(file, text(KERAS_MEMBERS.config), KERAS_MEMBERS.config);
  let kerasVersion: string | undefined;
  if (members.has(KERAS_MEMBERS.metadata)) {
    const metadata = parseJson(file, text(KERAS_MEMBERS.metadata), KERAS_MEMBERS.metadata) as { keras_version?: unknown } | null;
    if (metadata && typeof metadata.keras_version === 'string') kerasVersion = metadata.keras_version;
  }
  const weights = members.get(KERAS_MEMBERS.weights)!;
  const h5 = Hdf5Reader.open(weights, `${file}/${KERAS_MEMBERS.weights}`);
  return {
    format: 'keras',
    file,
    kerasVersion,
    modelConfig,
    weightBytes: weights.length,
    weightsFor: (ref) => {
      const out: StoredWeight[] = [];
      for (const { path, weights: count } of keras3Objects(ref.layer, ref.keras3Path)) {
        const group = `${path}/vars`;
        const present = h5.keys(group, ref.layer.name);
        const expected = Array.from({ length: count }, (_, i) => String(i));
        const extra = present.filter((k) => !expected.includes(k));
        const missing = expected.filter((k) => !present.includes(k));
        if (missing.length > 0 || extra.length > 0) {
          throw new ModelFileError(
            h5.file,
            ref.layer.name,
            `expected ${count} variables in '${group}' (${expected.join(', ') || 'none'}), the file has ${present.length ? present.join(', ') : 'none'}`,
          );
        }
        for (const key of expected) {
          const path = `${group}/${key}`;
          const shape = h5.datasetShape(path, ref.layer.name);
          out.push({ source: path, shape, values: h5.readFloat32(path, ref.layer.name, shape) });
        }
      }
      return out;
    },
  };
}
