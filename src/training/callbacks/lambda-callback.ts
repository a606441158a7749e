// LambdaCallback (keras.callbacks.LambdaCallback): a callback made of the functions it is given.
import { InputTypeError, describeValue } from '../../errors';
import { checkOptionNames } from '../../layers/options';
import { Callback, HookResult, Logs } from './callback';

type TrainHook = (logs?: Logs) => HookResult;
type IndexedHook = (index: number, logs?: Logs) => HookResult;

/**
 * Hook functions by name. onBatchBegin/onBatchEnd run at each training batch unless
 * onTrainBatchBegin/onTrainBatchEnd (Keras's own names) are given, which replace them as in Keras.
 */
export interface CallbackHooks {
  onTrainBegin?: TrainHook;
  onTrainEnd?: TrainHook;
  onEpochBegin?: IndexedHook;
  onEpochEnd?: IndexedHook;
  onBatchBegin?: IndexedHook;
  onBatchEnd?: IndexedHook;
  onTrainBatchBegin?: IndexedHook;
  onTrainBatchEnd?: IndexedHook;
}

export const HOOK_NAMES: readonly (keyof CallbackHooks)[] = [
  'onTrainBegin',
  'onTrainEnd',
  'onEpochBegin',
  'onEpochEnd',
  'onBatchBegin',
  'onBatchEnd',
  'onTrainBatchBegin',
  'onTrainBatchEnd',
];

export class LambdaCallback extends Callback {
  /** `owner` names the hooks' source in error messages (CallbackList passes e.g. 'callbacks[1]'). */
  constructor(hooks: CallbackHooks, owner = 'LambdaCallback') {
    super();
    if (hooks === null || typeof hooks !== 'object' || Array.isArray(hooks)) {
      throw new InputTypeError(`${owner}: expected an object of hook functions, got ${describeValue(hooks)}`);
    }
    checkOptionNames(owner, hooks, HOOK_NAMES);
    for (const name of HOOK_NAMES) {
      const hook: unknown = hooks[name];
      if (hook === undefined || hook === null) continue;
      if (typeof hook !== 'function') {
        throw new InputTypeError(`${owner}: ${name} must be a function, got ${describeValue(hook)}`);
      }
      // Called on the hooks object, so a plain object's methods may use `this`.
      this[name] = (...args: unknown[]) => (hook as (...a: unknown[]) => HookResult).apply(hooks, args);
    }
  }
}
