// History (keras.callbacks.History): the logs of every epoch, one list per metric name.
import { Callback, Logs } from './callback';

export class History extends Callback {
  /** The index of each epoch that ended, since the last onTrainBegin. */
  epoch: number[] = [];
  /** Each metric's value at the end of each epoch. Like Keras, kept across trainings with the same History. */
  history: Record<string, number[]> = {};

  override onTrainBegin(): void {
    this.epoch = [];
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) {
      (this.history[name] ??= []).push(value);
    }
  }
}
