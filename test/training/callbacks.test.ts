// Callbacks as fit uses them, driven through CallbackList by a small stand-in for fit's loop.
// Expected stopping epochs are worked out by hand from Keras 3's early_stopping.py.
import { InputTypeError, ValueError } from '../../src/errors';
import { Tensor } from '../../src/tensor';
import {
  Callback,
  CallbackList,
  CallbackModel,
  CustomCallbackArgs,
  EarlyStopping,
  History,
  LambdaCallback,
  Logs,
  TrainParams,
} from '../../src/training/callbacks';

/** A model whose one weight tensor holds the index of the epoch that last wrote it, updated in place. */
class FakeModel implements CallbackModel {
  stopTraining = false;
  weights = [new Tensor(new Float32Array([-1, -1]), [2])];
  setWeightsCalls = 0;

  getWeights(): Tensor[] {
    return this.weights;
  }

  setWeights(weights: Tensor[]): void {
    this.setWeightsCalls += 1;
    this.weights = weights;
  }

  trainOneEpoch(epoch: number): void {
    this.weights[0].data.fill(epoch); // in place, as an optimizer step would
  }
}

/** What fit does with its callbacks: one epoch per entry of `epochLogs`, until a callback stops it. */
async function fit(
  callbacks: (Callback | CustomCallbackArgs)[],
  epochLogs: Logs[],
  model = new FakeModel(),
): Promise<{ model: FakeModel; epochsRun: number }> {
  const list = new CallbackList(callbacks, model, { epochs: epochLogs.length, steps: 1, verbose: 0 });
  model.stopTraining = false;
  await list.onTrainBegin();
  let epochsRun = 0;
  for (let epoch = 0; epoch < epochLogs.length; epoch++) {
    await list.onEpochBegin(epoch);
    await list.onTrainBatchBegin(0);
    model.trainOneEpoch(epoch);
    await list.onTrainBatchEnd(0, epochLogs[epoch]);
    await list.onEpochEnd(epoch, epochLogs[epoch]);
    epochsRun += 1;
    if (model.stopTraining) break;
  }
  await list.onTrainEnd(epochLogs[epochsRun - 1]);
  return { model, epochsRun };
}

const losses = (...values: number[]): Logs[] => values.map((loss) => ({ loss }));
const accuracies = (...values: number[]): Logs[] => values.map((accuracy) => ({ accuracy }));

function captureWrites(stream: NodeJS.WriteStream): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  });
  return { text: () => chunks.join(''), restore: () => spy.mockRestore() };
}

describe('History', () => {
  test('records the epoch indices and each metric of every epoch, in order', async () => {
    const history = new History();
    await fit([history], [
      { loss: 0.9, accuracy: 0.5 },
      { loss: 0.7, accuracy: 0.625 },
      { loss: 0.6, accuracy: 0.75 },
    ]);
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(history.history).toEqual({ loss: [0.9, 0.7, 0.6], accuracy: [0.5, 0.625, 0.75] });
  });

  test('a second training restarts the epoch list but keeps adding to history, as Keras does', async () => {
    const history = new History();
    await fit([history], losses(3, 2));
    await fit([history], losses(1));
    expect(history.epoch).toEqual([0]);
    expect(history.history.loss).toEqual([3, 2, 1]);
  });

  test('gets the params fit passes', () => {
    const history = new History();
    const params: TrainParams = { epochs: 4, steps: 10, verbose: 2 };
    new CallbackList([history], new FakeModel(), params);
    expect(history.params).toEqual(params);
  });
});

describe('EarlyStopping: when it stops', () => {
  test("with patience 0 it stops at the first epoch that does not improve on the best 'loss'", async () => {
    const stopper = new EarlyStopping({ monitor: 'loss' });
    const { epochsRun } = await fit([stopper], losses(1.0, 0.8, 0.9, 0.7));
    expect(epochsRun).toBe(3);
    expect(stopper.stoppedEpoch).toBe(2);
    expect(stopper.best).toBe(0.8);
    expect(stopper.bestEpoch).toBe(1);
  });

  test('the default monitor is val_loss', async () => {
    const stopper = new EarlyStopping();
    const logs = [0.5, 0.4, 0.45].map((v) => ({ loss: 0.1, val_loss: v }));
    const { epochsRun } = await fit([stopper], logs);
    expect(epochsRun).toBe(3);
    expect(stopper.stoppedEpoch).toBe(2);
  });

  test('patience 2 stops after two epochs in a row without improvement', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', patience: 2 });
    const { epochsRun } = await fit([stopper], losses(1.0, 0.9, 0.95, 0.92, 0.5));
    expect(epochsRun).toBe(4);
    expect(stopper.stoppedEpoch).toBe(3);
  });

  test('an improvement restarts the patience count', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', patience: 2 });
    // 1.1 does not improve (count 1), 0.9 does (count 0), then 1.0 and 1.0 do not (count 2).
    const { epochsRun } = await fit([stopper], losses(1.0, 1.1, 0.9, 1.0, 1.0, 1.0));
    expect(stopper.stoppedEpoch).toBe(4);
    expect(epochsRun).toBe(5);
  });

  test('runs every epoch when the value keeps improving', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss' });
    const { model, epochsRun } = await fit([stopper], losses(4, 3, 2, 1));
    expect(epochsRun).toBe(4);
    expect(stopper.stoppedEpoch).toBe(0);
    expect(model.stopTraining).toBe(false);
  });

  test('a decrease smaller than minDelta is not an improvement', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', minDelta: 0.1, patience: 1 });
    const { epochsRun } = await fit([stopper], losses(1.0, 0.95, 0.5));
    expect(epochsRun).toBe(2);
    expect(stopper.best).toBe(1.0);
  });

  test('a decrease larger than minDelta is an improvement', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', minDelta: 0.1, patience: 1 });
    // 0.85 + 0.1 < 1.0 improves; 0.8 + 0.1 < 0.85 does not.
    const { epochsRun } = await fit([stopper], losses(1.0, 0.85, 0.8));
    expect(epochsRun).toBe(3);
    expect(stopper.best).toBe(0.85);
    expect(stopper.stoppedEpoch).toBe(2);
  });

  test("minDelta's sign is ignored (Keras takes abs(min_delta))", async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', minDelta: -0.1, patience: 1 });
    expect(stopper.minDelta).toBe(0.1);
    const { epochsRun } = await fit([stopper], losses(1.0, 0.95, 0.5));
    expect(epochsRun).toBe(2);
  });

  test('values are compared in float32, as on the TensorFlow backend: 1 - 1e-9 does not improve on 1', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss' });
    const { epochsRun } = await fit([stopper], losses(1, 1 - 1e-9));
    expect(epochsRun).toBe(2);
    expect(stopper.stoppedEpoch).toBe(1);
  });
});

describe("EarlyStopping: the direction in 'auto' mode", () => {
  test("'accuracy' is maximised", async () => {
    const stopper = new EarlyStopping({ monitor: 'accuracy', patience: 1 });
    const { epochsRun } = await fit([stopper], accuracies(0.5, 0.6, 0.55, 0.58));
    expect(epochsRun).toBe(3);
    expect(stopper.best).toBe(0.6);
  });

  test.each(['val_accuracy', 'acc', 'val_auc', 'binary_accuracy', 'precision'])("'%s' is maximised", async (monitor) => {
    const stopper = new EarlyStopping({ monitor });
    const logs = [0.5, 0.6, 0.55].map((v) => ({ [monitor]: v }));
    const { epochsRun } = await fit([stopper], logs);
    expect(epochsRun).toBe(3);
    expect(stopper.best).toBe(0.6);
  });

  test.each(['val_loss', 'mse', 'val_mae', 'binary_crossentropy'])("'%s' is minimised", async (monitor) => {
    const stopper = new EarlyStopping({ monitor });
    const logs = [0.5, 0.6, 0.4].map((v) => ({ [monitor]: v }));
    const { epochsRun } = await fit([stopper], logs);
    expect(epochsRun).toBe(2);
    expect(stopper.best).toBe(0.5);
  });

  test("mode 'min' overrides the name: a rising accuracy stops training", async () => {
    const stopper = new EarlyStopping({ monitor: 'accuracy', mode: 'min' });
    const { epochsRun } = await fit([stopper], accuracies(0.5, 0.6, 0.7));
    expect(epochsRun).toBe(2);
  });

  test("mode 'max' on a loss keeps the highest value as the best", async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', mode: 'max', patience: 1 });
    const { epochsRun } = await fit([stopper], losses(1, 2, 1.5, 3));
    expect(epochsRun).toBe(3);
    expect(stopper.best).toBe(2);
  });

  test('a metric name with no known direction is a ValueError at the first epoch end, asking for a mode', async () => {
    const stopper = new EarlyStopping({ monitor: 'val_custom_score' });
    await expect(fit([stopper], [{ val_custom_score: 1 }])).rejects.toThrow(ValueError);
    await expect(fit([stopper], [{ val_custom_score: 1 }])).rejects.toThrow(/mode: 'max'.*mode: 'min'/);
  });

  test("the same metric with mode 'max' is watched", async () => {
    const stopper = new EarlyStopping({ monitor: 'val_custom_score', mode: 'max' });
    const { epochsRun } = await fit([stopper], [1, 2, 1].map((v) => ({ val_custom_score: v })));
    expect(epochsRun).toBe(3);
    expect(stopper.best).toBe(2);
  });
});

describe('EarlyStopping: baseline and startFromEpoch', () => {
  // Keras 3: every epoch that improves on the best is an improvement; the patience count restarts only
  // when that epoch also beats the baseline. 0.9 then 0.4 (both improve), then 0.45, 0.46, 0.47 (none do).
  const series = losses(0.9, 0.4, 0.45, 0.46, 0.47);

  test('beating the baseline restarts the patience count', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', patience: 2, baseline: 0.5 });
    const { epochsRun } = await fit([stopper], series);
    // The count restarts at epoch 1 (0.4 < 0.5), so epochs 2 and 3 use up the patience.
    expect(stopper.stoppedEpoch).toBe(3);
    expect(epochsRun).toBe(4);
  });

  test('improving without beating the baseline does not restart the count', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', patience: 2, baseline: 0.3 });
    const { epochsRun } = await fit([stopper], series);
    // Count 1 at epoch 0, 2 at epoch 1 (improvements, no restart), 3 at epoch 2: stop.
    expect(stopper.stoppedEpoch).toBe(2);
    expect(epochsRun).toBe(3);
    expect(stopper.best).toBe(0.4);
  });

  test('epochs before startFromEpoch are not watched', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', startFromEpoch: 2 });
    // Rising losses: epoch 2 is the first watched (the best), epoch 3 does not improve on it.
    const { epochsRun } = await fit([stopper], losses(1, 2, 3, 4, 5));
    expect(stopper.stoppedEpoch).toBe(3);
    expect(epochsRun).toBe(4);
    expect(stopper.bestEpoch).toBe(2);
  });

  test('without startFromEpoch the same rising losses stop at epoch 1', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss' });
    const { epochsRun } = await fit([stopper], losses(1, 2, 3, 4, 5));
    expect(epochsRun).toBe(2);
  });
});

describe('EarlyStopping: restoreBestWeights', () => {
  test('puts back the weights of the best epoch when it stops training', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', patience: 1, restoreBestWeights: true });
    const { model, epochsRun } = await fit([stopper], losses(1.0, 0.5, 0.7, 0.8));
    expect(epochsRun).toBe(3);
    expect(stopper.bestEpoch).toBe(1);
    // Epoch 2 overwrote the weight tensor in place; the restored copy still holds epoch 1's values.
    expect(Array.from(model.weights[0].data)).toEqual([1, 1]);
    expect(model.weights[0].shape).toEqual([2]);
  });

  test('restores them too when training runs to its last epoch without stopping', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', patience: 5, restoreBestWeights: true });
    const { model, epochsRun } = await fit([stopper], losses(1.0, 0.5, 0.7));
    expect(epochsRun).toBe(3);
    expect(stopper.stoppedEpoch).toBe(0);
    expect(Array.from(model.weights[0].data)).toEqual([1, 1]);
  });

  test('without it the weights of the last epoch stay', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', patience: 1 });
    const { model } = await fit([stopper], losses(1.0, 0.5, 0.7, 0.8));
    expect(model.setWeightsCalls).toBe(0);
    expect(Array.from(model.weights[0].data)).toEqual([2, 2]);
  });

  test('with no monitored epoch there is nothing to restore', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss', restoreBestWeights: true, startFromEpoch: 5 });
    const { model } = await fit([stopper], losses(1, 2));
    expect(model.setWeightsCalls).toBe(0);
  });
});

describe('EarlyStopping: messages and reuse', () => {
  test('a monitor missing from the logs is a warning on stderr, once, and training goes on', async () => {
    const stderr = captureWrites(process.stderr);
    try {
      const stopper = new EarlyStopping({ monitor: 'val_loss' });
      const { epochsRun } = await fit([stopper], [{ loss: 1, accuracy: 0.5 }, { loss: 2, accuracy: 0.5 }]);
      expect(epochsRun).toBe(2);
      expect(stderr.text()).toBe(
        'Warning: Early stopping conditioned on metric `val_loss` which is not available. ' +
          'Available metrics are: loss,accuracy\n',
      );
    } finally {
      stderr.restore();
    }
  });

  test('verbose 1 says at which epoch it stopped and which epoch it restored, counting from 1', async () => {
    const stdout = captureWrites(process.stdout);
    try {
      const stopper = new EarlyStopping({ monitor: 'loss', verbose: 1, restoreBestWeights: true });
      await fit([stopper], losses(1.0, 0.5, 0.7));
      expect(stdout.text()).toBe(
        'Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n',
      );
    } finally {
      stdout.restore();
    }
  });

  test('verbose 0 prints nothing', async () => {
    const stdout = captureWrites(process.stdout);
    try {
      await fit([new EarlyStopping({ monitor: 'loss', restoreBestWeights: true })], losses(1.0, 0.5, 0.7));
      expect(stdout.text()).toBe('');
    } finally {
      stdout.restore();
    }
  });

  test('one instance serves a second training from a fresh start', async () => {
    const stopper = new EarlyStopping({ monitor: 'loss' });
    await fit([stopper], losses(1, 2));
    expect(stopper.stoppedEpoch).toBe(1);
    // Had the first training's best (1) been kept, 5, 4, 3 would never improve and this would stop at epoch 1.
    const { epochsRun } = await fit([stopper], losses(5, 4, 3));
    expect(epochsRun).toBe(3);
    expect(stopper.stoppedEpoch).toBe(0);
    expect(stopper.best).toBe(3);
  });
});

describe('EarlyStopping: options', () => {
  test('defaults follow Keras', () => {
    const stopper = new EarlyStopping();
    expect(stopper).toMatchObject({
      monitor: 'val_loss',
      minDelta: 0,
      patience: 0,
      verbose: 0,
      mode: 'auto',
      baseline: null,
      restoreBestWeights: false,
      startFromEpoch: 0,
    });
    expect(stopper.best).toBeNaN();
  });

  test('an unknown option is a ValueError naming the closest known one and listing them all', () => {
    expect(() => new EarlyStopping({ min_delta: 0.1 } as never)).toThrow(ValueError);
    expect(() => new EarlyStopping({ min_delta: 0.1 } as never)).toThrow(/did you mean 'minDelta'.*restoreBestWeights/);
  });

  test.each([
    ['mode', { mode: 'maximum' }, /mode must be one of 'auto', 'min', 'max', got the string "maximum"/],
    ['verbose', { verbose: 2 }, /verbose must be one of 0, 1, got number 2/],
    ['patience', { patience: -1 }, /patience must be an integer >= 0, got -1/],
    ['startFromEpoch', { startFromEpoch: 1.5 }, /startFromEpoch must be an integer >= 0, got 1.5/],
    ['baseline', { baseline: NaN }, /baseline must be a finite number, got NaN/],
    ['minDelta', { minDelta: Infinity }, /minDelta must be a finite number/],
    ['monitor', { monitor: '' }, /monitor must name a logs entry/],
  ])('a bad %s is a ValueError', (_name, options, message) => {
    expect(() => new EarlyStopping(options as never)).toThrow(ValueError);
    expect(() => new EarlyStopping(options as never)).toThrow(message);
  });

  test.each([
    ['patience', { patience: '2' }, /patience must be a number, got the string "2"/],
    ['restoreBestWeights', { restoreBestWeights: 1 }, /restoreBestWeights must be true or false, got number 1/],
    ['monitor', { monitor: 3 }, /monitor must be a string, got number 3/],
  ])('a %s of the wrong type is an InputTypeError', (_name, options, message) => {
    expect(() => new EarlyStopping(options as never)).toThrow(InputTypeError);
    expect(() => new EarlyStopping(options as never)).toThrow(message);
  });
});

describe('LambdaCallback and plain-object hooks', () => {
  function recorder(tag: string, calls: string[]): CustomCallbackArgs {
    return {
      onTrainBegin: (logs) => void calls.push(`${tag} trainBegin ${JSON.stringify(logs)}`),
      onEpochBegin: (epoch, logs) => void calls.push(`${tag} epochBegin ${epoch} ${JSON.stringify(logs)}`),
      onBatchBegin: (batch, logs) => void calls.push(`${tag} batchBegin ${batch} ${JSON.stringify(logs)}`),
      onBatchEnd: (batch, logs) => void calls.push(`${tag} batchEnd ${batch} ${JSON.stringify(logs)}`),
      onEpochEnd: (epoch, logs) => void calls.push(`${tag} epochEnd ${epoch} ${JSON.stringify(logs)}`),
      onTrainEnd: (logs) => void calls.push(`${tag} trainEnd ${JSON.stringify(logs)}`),
    };
  }

  test('every hook is called in order with its index and logs ({} when fit passes none)', async () => {
    const calls: string[] = [];
    await fit([new LambdaCallback(recorder('L', calls))], losses(0.5, 0.25));
    expect(calls).toEqual([
      'L trainBegin {}',
      'L epochBegin 0 {}',
      'L batchBegin 0 {}',
      'L batchEnd 0 {"loss":0.5}',
      'L epochEnd 0 {"loss":0.5}',
      'L epochBegin 1 {}',
      'L batchBegin 0 {}',
      'L batchEnd 0 {"loss":0.25}',
      'L epochEnd 1 {"loss":0.25}',
      'L trainEnd {"loss":0.25}',
    ]);
  });

  test('a plain object of hooks is called like a LambdaCallback, and list entries run in list order', async () => {
    const calls: string[] = [];
    await fit([recorder('A', calls), new LambdaCallback(recorder('B', calls))], losses(0.5));
    expect(calls).toEqual([
      'A trainBegin {}',
      'B trainBegin {}',
      'A epochBegin 0 {}',
      'B epochBegin 0 {}',
      'A batchBegin 0 {}',
      'B batchBegin 0 {}',
      'A batchEnd 0 {"loss":0.5}',
      'B batchEnd 0 {"loss":0.5}',
      'A epochEnd 0 {"loss":0.5}',
      'B epochEnd 0 {"loss":0.5}',
      'A trainEnd {"loss":0.5}',
      'B trainEnd {"loss":0.5}',
    ]);
  });

  test("onTrainBatchEnd (Keras's name) replaces the onBatchEnd alias, as overriding it does in Keras", async () => {
    const calls: string[] = [];
    const hooks: CustomCallbackArgs = {
      onBatchEnd: () => void calls.push('onBatchEnd'),
      onTrainBatchEnd: () => void calls.push('onTrainBatchEnd'),
    };
    await fit([hooks], losses(1));
    expect(calls).toEqual(['onTrainBatchEnd']);
  });

  test('a subclass overriding onBatchEnd is called at each training batch', async () => {
    const batches: number[] = [];
    class BatchCounter extends Callback {
      override onBatchEnd(batch: number): void {
        batches.push(batch);
      }
    }
    await fit([new BatchCounter()], losses(1, 1));
    expect(batches).toEqual([0, 0]);
  });

  test('async hooks are awaited before the next callback and the next hook run', async () => {
    const calls: string[] = [];
    const slow: CustomCallbackArgs = {
      onEpochEnd: async (epoch) => {
        calls.push(`slow start ${epoch}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        calls.push(`slow end ${epoch}`);
      },
      onTrainEnd: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        calls.push('slow trainEnd');
      },
    };
    const fast: CustomCallbackArgs = {
      onEpochBegin: (epoch) => void calls.push(`fast epochBegin ${epoch}`),
      onEpochEnd: (epoch) => void calls.push(`fast epochEnd ${epoch}`),
      onTrainEnd: () => void calls.push('fast trainEnd'),
    };
    await fit([slow, fast], losses(1, 1));
    expect(calls).toEqual([
      'fast epochBegin 0',
      'slow start 0',
      'slow end 0',
      'fast epochEnd 0',
      'fast epochBegin 1',
      'slow start 1',
      'slow end 1',
      'fast epochEnd 1',
      'slow trainEnd',
      'fast trainEnd',
    ]);
  });

  test('a callback cannot change the logs object of the caller', async () => {
    const logs: Logs = { loss: 1 };
    const list = new CallbackList([{ onEpochEnd: (_e, l) => void (l!.loss = 99) }], new FakeModel(), {
      epochs: 1,
      steps: 1,
      verbose: 0,
    });
    await list.onEpochEnd(0, logs);
    expect(logs).toEqual({ loss: 1 });
  });

  test('an unknown hook name is a ValueError naming the closest known one', () => {
    expect(() => new LambdaCallback({ onEpochStart: () => {} } as never)).toThrow(ValueError);
    expect(() => new LambdaCallback({ onEpochStart: () => {} } as never)).toThrow(
      /unknown option 'onEpochStart'.*onTrainBatchEnd/,
    );
    expect(() => new CallbackList([{}, { onEpochEnds: () => {} } as never], new FakeModel(), {
      epochs: 1,
      steps: 1,
      verbose: 0,
    })).toThrow(/callbacks\[1\]: unknown option 'onEpochEnds' \(did you mean 'onEpochEnd'\?\)/);
  });

  test('a hook that is not a function is an InputTypeError', () => {
    expect(() => new LambdaCallback({ onEpochEnd: 3 } as never)).toThrow(InputTypeError);
    expect(() => new LambdaCallback({ onEpochEnd: 3 } as never)).toThrow(/onEpochEnd must be a function, got number 3/);
  });

  test('a list entry that is neither a Callback nor an object is an InputTypeError', () => {
    const params: TrainParams = { epochs: 1, steps: 1, verbose: 0 };
    expect(() => new CallbackList(['stop'] as never, new FakeModel(), params)).toThrow(InputTypeError);
    expect(() => new CallbackList(['stop'] as never, new FakeModel(), params)).toThrow(
      /callbacks\[0\] must be a Callback or an object of hook functions, got the string "stop"/,
    );
  });

  test('the list gives every callback the model', () => {
    const model = new FakeModel();
    const history = new History();
    const list = new CallbackList([history, {}], model, { epochs: 1, steps: 1, verbose: 0 });
    expect(list.callbacks.map((c) => c.model)).toEqual([model, model]);
  });
});
