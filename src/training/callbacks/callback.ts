// The Callback base class (keras.callbacks.Callback): hooks that fit calls at the start and end of
// training, of each epoch and of each batch. Every hook does nothing unless a subclass overrides it.
import { StateError } from '../../errors';
import type { Tensor } from '../../tensor';

/** Metric values by name, e.g. { loss: 0.25, accuracy: 0.75, val_loss: 0.3 }. */
export type Logs = Record<string, number>;

/** What callbacks may use of the model being trained. */
export interface CallbackModel {
  /** Set to true by a callback to end training after the current epoch. */
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
}

/** What fit tells its callbacks before training (Keras's `params`). */
export interface TrainParams {
  epochs: number;
  /** Batches per epoch. */
  steps: number;
  verbose: 0 | 1 | 2;
}

/** A hook may return a promise; fit awaits it before going on. */
export type HookResult = void | Promise<void>;

export abstract class Callback {
  model: CallbackModel | null = null;
  params: TrainParams | null = null;

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  setParams(params: TrainParams): void {
    this.params = params;
  }

  onTrainBegin(_logs?: Logs): HookResult {}
  onTrainEnd(_logs?: Logs): HookResult {}
  onEpochBegin(_epoch: number, _logs?: Logs): HookResult {}
  onEpochEnd(_epoch: number, _logs?: Logs): HookResult {}

  /** Calls onBatchBegin unless overridden, as Keras keeps on_batch_begin as its alias. */
  onTrainBatchBegin(batch: number, logs?: Logs): HookResult {
    return this.onBatchBegin(batch, logs);
  }

  /** Calls onBatchEnd unless overridden, as Keras keeps on_batch_end as its alias. */
  onTrainBatchEnd(batch: number, logs?: Logs): HookResult {
    return this.onBatchEnd(batch, logs);
  }

  onBatchBegin(_batch: number, _logs?: Logs): HookResult {}
  onBatchEnd(_batch: number, _logs?: Logs): HookResult {}

  /** The model, for callbacks that cannot work without one. */
  protected requireModel(): CallbackModel {
    if (this.model === null) {
      throw new StateError(`${this.constructor.name}: no model set; call setModel(model) before training`);
    }
    return this.model;
  }
}
