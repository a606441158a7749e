// CallbackList (keras.callbacks.CallbackList): what fit calls; it runs each hook of every callback in
// order, awaiting each one, so an async hook finishes before the next callback or batch starts.
import { InputTypeError, describeValue } from '../../errors';
import { Callback, CallbackModel, Logs, TrainParams } from './callback';
import { CallbackHooks, LambdaCallback } from './lambda-callback';

/** A plain object of hook functions, accepted wherever a Callback is (like TF.js's CustomCallbackArgs). */
export type CustomCallbackArgs = CallbackHooks;

export class CallbackList {
  readonly callbacks: Callback[];

  constructor(callbacks: (Callback | CustomCallbackArgs)[], model: CallbackModel, params: TrainParams) {
    if (!Array.isArray(callbacks)) {
      throw new InputTypeError(`CallbackList: callbacks must be an array, got ${describeValue(callbacks)}`);
    }
    this.callbacks = callbacks.map((c, i) => {
      if (c instanceof Callback) return c;
      if (c === null || typeof c !== 'object' || Array.isArray(c)) {
        throw new InputTypeError(
          `CallbackList: callbacks[${i}] must be a Callback or an object of hook functions, got ${describeValue(c)}`,
        );
      }
      return new LambdaCallback(c, `CallbackList: callbacks[${i}]`);
    });
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  async onTrainBegin(logs?: Logs): Promise<void> {
    const shared = copyLogs(logs);
    for (const c of this.callbacks) await c.onTrainBegin(shared);
  }

  async onTrainEnd(logs?: Logs): Promise<void> {
    const shared = copyLogs(logs);
    for (const c of this.callbacks) await c.onTrainEnd(shared);
  }

  async onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    const shared = copyLogs(logs);
    for (const c of this.callbacks) await c.onEpochBegin(epoch, shared);
  }

  async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const shared = copyLogs(logs);
    for (const c of this.callbacks) await c.onEpochEnd(epoch, shared);
  }

  async onTrainBatchBegin(batch: number, logs?: Logs): Promise<void> {
    const shared = copyLogs(logs);
    for (const c of this.callbacks) await c.onTrainBatchBegin(batch, shared);
  }

  async onTrainBatchEnd(batch: number, logs?: Logs): Promise<void> {
    const shared = copyLogs(logs);
    for (const c of this.callbacks) await c.onTrainBatchEnd(batch, shared);
  }
}

// Keras hands every callback of one call the same fresh dict (pythonify_logs): {} when there are no
// logs, and never the caller's own object.
function copyLogs(logs: Logs | undefined): Logs {
  return { ...(logs ?? {}) };
}
