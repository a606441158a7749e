// Reads a Keras model config (Sequential, or a Functional model that is one chain of layers) into
// the ordered list of layer configs rnnkit builds a Sequential from.
import { ValueError, describeValue } from '../errors';
import type { KerasLayerConfig } from './keras-config';

export interface ModelSpec {
  name: string | undefined;
  /** The layers after the input, in order. */
  layers: KerasLayerConfig[];
  /** The input's batch shape when the config declares one (InputLayer, batch_input_shape, build_config). */
  batchInputShape: (number | null)[] | null;
  /** The config's InputLayer, if any: its name (legacy .h5 lists it among the weight groups). */
  inputName: string | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function layerName(spec: KerasLayerConfig): string | undefined {
  const n = spec.config?.name ?? spec.name;
  return typeof n === 'string' ? n : undefined;
}

function inputShapeOf(spec: KerasLayerConfig): (number | null)[] | null {
  const c = spec.config ?? {};
  const shape = c.batch_shape ?? c.batch_input_shape;
  if (Array.isArray(shape)) return shape as (number | null)[];
  // Keras 3 Sequential without an InputLayer: the first layer's build_config holds the shape.
  const built = (spec.build_config as { input_shape?: unknown } | undefined)?.input_shape;
  return Array.isArray(built) ? (built as (number | null)[]) : null;
}

function asLayerList(value: unknown, where: string): KerasLayerConfig[] {
  if (!Array.isArray(value)) throw new ValueError(`${where}: expected a list of layer configs, got ${describeValue(value)}`);
  value.forEach((l, i) => {
    if (!isObject(l) || typeof l.class_name !== 'string' || (l.config !== undefined && !isObject(l.config))) {
      throw new ValueError(`${where}: layer ${i} is not a { class_name, config } object, got ${describeValue(l)}`);
    }
  });
  return value as KerasLayerConfig[];
}

function sequentialSpec(config: unknown): ModelSpec {
  // Keras <= 2.1 stored a Sequential's config as the bare list of layers.
  const layers = asLayerList(Array.isArray(config) ? config : isObject(config) ? config.layers : undefined, 'Sequential config');
  const name = isObject(config) && typeof config.name === 'string' ? config.name : undefined;
  let inputName: string | undefined;
  let rest = layers;
  let batchInputShape: (number | null)[] | null = null;
  if (layers[0]?.class_name === 'InputLayer') {
    inputName = layerName(layers[0]);
    batchInputShape = inputShapeOf(layers[0]);
    rest = layers.slice(1);
  } else if (layers[0]) {
    batchInputShape = inputShapeOf(layers[0]);
  }
  if (rest.some((l) => l.class_name === 'InputLayer')) throw new ValueError('Sequential config: an InputLayer may only come first');
  if (batchInputShape === null && isObject(config) && Array.isArray(config.build_input_shape)) {
    batchInputShape = config.build_input_shape as (number | null)[];
  }
  return { name, layers: rest, batchInputShape, inputName };
}

/** The names of the layers feeding a Functional layer's (single) call. */
function inboundNames(spec: KerasLayerConfig, where: string): string[] {
  const nodes = spec.inbound_nodes;
  if (nodes === undefined || (Array.isArray(nodes) && nodes.length === 0)) return [];
  if (!Array.isArray(nodes) || nodes.length !== 1) {
    throw new ValueError(`${where}: layer '${layerName(spec)}' is called ${Array.isArray(nodes) ? nodes.length : '?'} times; rnnkit loads single-chain models`);
  }
  const node = nodes[0];
  const names: string[] = [];
  if (Array.isArray(node)) {
    // Keras 2: [[inbound_layer, node_index, tensor_index, kwargs], ...]
    for (const entry of node) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new ValueError(`${where}: malformed inbound node of '${layerName(spec)}'`);
      const kwargs = entry[3];
      if (isObject(kwargs) && Object.keys(kwargs).some((k) => k !== 'training' && kwargs[k] !== null)) {
        throw new ValueError(`${where}: layer '${layerName(spec)}' is called with ${Object.keys(kwargs).join(', ')}; rnnkit loads plain chains`);
      }
      names.push(entry[0]);
    }
  } else if (isObject(node)) {
    // Keras 3: { args: [ { class_name: '__keras_tensor__', config: { keras_history: [name, 0, 0] } } ], kwargs }
    const args = Array.isArray(node.args) ? node.args : [];
    for (const arg of args) {
      const history = isObject(arg) && isObject(arg.config) ? arg.config.keras_history : undefined;
      if (!Array.isArray(history) || typeof history[0] !== 'string') {
        throw new ValueError(`${where}: layer '${layerName(spec)}' takes an input rnnkit cannot follow (${describeValue(arg)})`);
      }
      names.push(history[0]);
    }
    const kwargs = isObject(node.kwargs) ? node.kwargs : {};
    const extra = Object.keys(kwargs).filter((k) => k !== 'training' && kwargs[k] !== null);
    if (extra.length > 0) throw new ValueError(`${where}: layer '${layerName(spec)}' is called with ${extra.join(', ')}; rnnkit loads plain chains`);
  } else {
    throw new ValueError(`${where}: malformed inbound nodes of '${layerName(spec)}'`);
  }
  return names;
}

function endpointNames(value: unknown, what: string): string[] {
  // [[name, 0, 0], ...] or, with a single endpoint in Keras 3, [name, 0, 0].
  if (!Array.isArray(value)) throw new ValueError(`Functional config: ${what} must be a list, got ${describeValue(value)}`);
  if (typeof value[0] === 'string') return [value[0]];
  return value.map((v) => (Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '?'));
}

function functionalSpec(config: unknown): ModelSpec {
  if (!isObject(config)) throw new ValueError(`Functional config must be an object, got ${describeValue(config)}`);
  const layers = asLayerList(config.layers, 'Functional config');
  const byName = new Map<string, KerasLayerConfig>();
  for (const l of layers) {
    const n = layerName(l);
    if (n === undefined) throw new ValueError(`Functional config: a ${l.class_name} layer has no name`);
    if (byName.has(n)) throw new ValueError(`Functional config: two layers are named '${n}'`);
    byName.set(n, l);
  }
  const inputs = endpointNames(config.input_layers, 'input_layers');
  const outputs = endpointNames(config.output_layers, 'output_layers');
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new ValueError(`Functional config: rnnkit loads models with one input and one output, this one has ${inputs.length} and ${outputs.length}`);
  }
  // Walk back from the output to the input: every step must have exactly one inbound layer.
  const chain: KerasLayerConfig[] = [];
  let current = byName.get(outputs[0]);
  const seen = new Set<string>();
  while (current && current.class_name !== 'InputLayer') {
    const n = layerName(current)!;
    if (seen.has(n)) throw new ValueError(`Functional config: layer '${n}' appears twice on the path to the output`);
    seen.add(n);
    chain.unshift(current);
    const inbound = inboundNames(current, 'Functional config');
    if (inbound.length !== 1) {
      throw new ValueError(`Functional config: layer '${n}' has ${inbound.length} inputs; rnnkit loads single-chain models`);
    }
    current = byName.get(inbound[0]);
    if (!current) throw new ValueError(`Functional config: layer '${n}' takes its input from '${inbound[0]}', which the config does not define`);
  }
  if (!current || layerName(current) !== inputs[0]) {
    throw new ValueError(`Functional config: the chain from the output does not start at the input '${inputs[0]}'`);
  }
  if (chain.length + 1 !== layers.length) {
    const off = layers.map(layerName).filter((n) => n !== inputs[0] && !seen.has(n!));
    throw new ValueError(`Functional config: layers ${off.join(', ')} are not on the single chain from input to output`);
  }
  return {
    name: typeof config.name === 'string' ? config.name : undefined,
    layers: chain,
    batchInputShape: inputShapeOf(current),
    inputName: inputs[0],
  };
}

/** { class_name, config } of a whole model -> its layer chain. */
export function modelSpecFromConfig(modelConfig: unknown): ModelSpec {
  if (!isObject(modelConfig) || typeof modelConfig.class_name !== 'string') {
    throw new ValueError(`expected a model config { class_name, config }, got ${describeValue(modelConfig)}`);
  }
  switch (modelConfig.class_name) {
    case 'Sequential':
      return sequentialSpec(modelConfig.config);
    case 'Functional':
    case 'Model':
      return functionalSpec(modelConfig.config);
    default:
      throw new ValueError(`unsupported model class '${modelConfig.class_name}'; rnnkit loads Sequential and single-chain Functional models`);
  }
}
