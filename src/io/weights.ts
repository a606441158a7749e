// Weights as a model file holds them, and their binding to rnnkit layers: count and shapes are
// checked against what the layer built from the config expects, after the conversions Keras
// itself applies when loading (cuDNN layouts).
import { ModelFileError } from '../errors';
import { Layer } from '../layers/layer';
import { Tensor } from '../tensor';
import { fromCudnnGru, fromCudnnLstm } from './cudnn-weights';

/** One weight array read from a file, with where it came from. */
export interface StoredWeight {
  /** Where in the file: an HDF5 dataset path or a TF.js manifest name. */
  source: string;
  shape: number[];
  values: Float32Array;
}

/** What `inspect` reports for each weight. */
export interface WeightOrigin {
  layer: string;
  weight: string;
  shape: number[];
  source: string;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Sets a built layer's weights from the stored ones (in Keras's order). `className` is the class
 * the file names, so CuDNNLSTM / CuDNNGRU weights are converted to the standard layout first.
 */
export function bindWeights(file: string, layer: Layer, className: string, stored: StoredWeight[]): WeightOrigin[] {
  const expected = layer.weights;
  let values = stored;
  if (className === 'CuDNNLSTM' || className === 'CuDNNGRU') {
    const units = (layer as unknown as { units: number }).units;
    values = convertCudnn(file, layer.name, className, stored, units);
  }
  if (values.length !== expected.length) {
    const want = expected.map((w) => `${w.name} [${w.shape.join(', ')}]`).join(', ') || 'none';
    const got = values.map((w) => `${w.source} [${w.shape.join(', ')}]`).join(', ') || 'none';
    throw new ModelFileError(file, layer.name, `expected ${expected.length} weights (${want}), the file has ${values.length} (${got})`);
  }
  values.forEach((w, i) => {
    if (!sameShape(w.shape, expected[i].shape)) {
      throw new ModelFileError(
        file,
        layer.name,
        `weight ${i} (${expected[i].name}) must have shape [${expected[i].shape.join(', ')}], '${w.source}' has [${w.shape.join(', ')}]`,
      );
    }
    for (let j = 0; j < w.values.length; j++) {
      // NaN or infinite weights would make every prediction NaN: almost surely corruption.
      if (!Number.isFinite(w.values[j])) {
        throw new ModelFileError(file, layer.name, `weight '${w.source}' holds ${w.values[j]} at index ${j}`);
      }
    }
  });
  layer.setWeights(values.map((w) => new Tensor(w.values, w.shape)));
  return values.map((w, i) => ({ layer: layer.name, weight: expected[i].name, shape: [...w.shape], source: w.source }));
}

function convertCudnn(file: string, layerName: string, className: string, stored: StoredWeight[], units: number): StoredWeight[] {
  const gates = className === 'CuDNNLSTM' ? 4 : 3;
  if (stored.length !== 3) {
    throw new ModelFileError(file, layerName, `a ${className} layer has 3 weights (kernel, recurrent_kernel, bias), the file has ${stored.length}`);
  }
  const [kernel, recurrent, bias] = stored;
  const ok =
    kernel.shape.length === 2 &&
    kernel.shape[1] === gates * units &&
    sameShape(recurrent.shape, [units, gates * units]) &&
    sameShape(bias.shape, [2 * gates * units]);
  if (!ok) {
    throw new ModelFileError(
      file,
      layerName,
      `${className} weights must be kernel [input, ${gates * units}], recurrent_kernel [${units}, ${gates * units}], bias [${2 * gates * units}]; ` +
        `the file has [${kernel.shape.join(', ')}], [${recurrent.shape.join(', ')}], [${bias.shape.join(', ')}]`,
    );
  }
  const converted = (className === 'CuDNNLSTM' ? fromCudnnLstm : fromCudnnGru)(kernel.values, recurrent.values, bias.values, kernel.shape[0], units);
  return [
    { ...kernel, values: converted.kernel },
    { ...recurrent, values: converted.recurrentKernel },
    { ...bias, values: converted.bias, shape: className === 'CuDNNLSTM' ? [4 * units] : [2, 3 * units] },
  ];
}
