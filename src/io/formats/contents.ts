// What every model-file format yields to the loader: the model config, the Keras version that
// wrote it, and the stored weights of each layer.
import type { Layer } from '../../layers/layer';
import type { KerasLayerConfig } from '../keras-config';
import type { StoredWeight } from '../weights';

export type ModelFormat = 'keras' | 'h5' | 'tfjs';

export interface LayerRef {
  /** The layer as rnnkit built it from the config (built: its weights have their shapes). */
  layer: Layer;
  /** The layer's config as the file stores it (its name may differ from the rnnkit layer's). */
  spec: KerasLayerConfig;
  /** Keras 3's name for the layer in the weights file: layers/lstm, layers/lstm_1, ... */
  keras3Path: string;
}

export interface ModelFileContents {
  format: ModelFormat;
  /** The file's name for messages ('<buffer>' when loaded from memory). */
  file: string;
  kerasVersion: string | undefined;
  /** { class_name, config } of the model. */
  modelConfig: unknown;
  /** Bytes the file holds for weights: a config asking for more parameters than fit is refused. */
  weightBytes: number;
  weightsFor(ref: LayerRef): StoredWeight[];
}
