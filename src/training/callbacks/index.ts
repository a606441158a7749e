// Training callbacks: what fit calls at each stage, and the ones Keras provides.
export { Callback } from './callback';
export type { CallbackModel, HookResult, Logs, TrainParams } from './callback';
export { CallbackList } from './callback-list';
export type { CustomCallbackArgs } from './callback-list';
export { EarlyStopping } from './early-stopping';
export type { EarlyStoppingOptions } from './early-stopping';
export { History } from './history';
export { LambdaCallback } from './lambda-callback';
export type { CallbackHooks } from './lambda-callback';
export { ProgressLogger } from './progress-logger';
