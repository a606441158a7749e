// rnnkit's public API: Keras's recurrent layers for Node.js.
export { Tensor, tensor } from './tensor';
export type { TensorLike, NestedArray, TypedNumberArray } from './tensor';
export { backend, setThreads } from './backend';
export type { BackendInfo, BackendName } from './backend';
export { RnnkitError, ShapeError, ValueError, InputTypeError, StateError, BackendError, ModelFileError } from './errors';
export { Layer } from './layers/layer';
export type { LayerOptions, ApplyOptions } from './layers/layer';
export { BaseRNN } from './layers/rnn';
export type { RNNOptions } from './layers/rnn';
export { SimpleRNN } from './layers/simple-rnn';
export type { SimpleRNNOptions } from './layers/simple-rnn';
export { LSTM } from './layers/lstm';
export type { LSTMOptions } from './layers/lstm';
export { GRU } from './layers/gru';
export type { GRUOptions } from './layers/gru';
export { Bidirectional } from './layers/bidirectional';
export type { BidirectionalOptions, MergeMode } from './layers/bidirectional';
export { Embedding } from './layers/embedding';
export type { EmbeddingOptions } from './layers/embedding';
export { Dense } from './layers/dense';
export type { DenseOptions } from './layers/dense';
export { Dropout } from './layers/dropout';
export type { DropoutOptions } from './layers/dropout';
export { Masking } from './layers/masking';
export type { MaskingOptions } from './layers/masking';
export { Activation } from './layers/activation';
export { ReLU } from './layers/relu';
export type { ReLUOptions } from './layers/relu';
export { Flatten } from './layers/flatten';
export type { FlattenOptions } from './layers/flatten';
export { TimeDistributed } from './layers/time-distributed';
export { Input, InputLayer } from './layers/input-layer';
export type { InputOptions } from './layers/input-layer';
export { clearSession } from './layers/naming';
export type { Shape } from './layers/shapes';
export type { InitializerSpec } from './layers/initializers';
export { Sequential } from './models/sequential';
export type { SequentialOptions, PredictOptions } from './models/sequential';
export type { SummaryOptions } from './models/summary';
export type { CompileOptions } from './models/compile';
export type { FitOptions, EvaluateOptions } from './models/fit';
export { setRandomSeed } from './random';
export { loadModel, readModelFile } from './io/load-model';
export type { LoadModelOptions, LoadedModelFile } from './io/load-model';
export type { SaveOptions } from './io/save-model';
export type { WeightOrigin } from './io/weights';
export { layerFromConfig } from './io/keras-config';
export { SGD, Adam, RMSprop, Adagrad, Optimizer, getOptimizer } from './training/optimizers';
export type { OptimizerOptions, SGDOptions, AdamOptions, RMSpropOptions, AdagradOptions } from './training/optimizers';
export {
  MeanSquaredError,
  MeanAbsoluteError,
  Huber,
  BinaryCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
  getLoss,
} from './training/losses';
export type { Loss } from './training/losses';
export type { Metric } from './training/metrics';
export { Callback, EarlyStopping, LambdaCallback, History, ProgressLogger } from './training/callbacks';
export type { Logs, EarlyStoppingOptions, CallbackHooks, CustomCallbackArgs } from './training/callbacks';
export { Tokenizer, padSequences, textToWordSequence } from './preprocessing';
export type { TokenizerOptions, PadSequencesOptions } from './preprocessing';
