// What fit prints, captured from a fake stream. Expected lines are written out by hand from
// keras/src/utils/progbar.py; the clock is jest's fake one, so times are exact.
import { InputTypeError, ValueError } from '../../src/errors';
import { Tensor } from '../../src/tensor';
import { CallbackList, CallbackModel, Logs, ProgressLogger } from '../../src/training/callbacks';
import {
  formatBarValue,
  formatEta,
  formatExponent,
  formatFixed,
  formatStepTime,
  formatSummaryValue,
} from '../../src/training/callbacks/progress-logger';

class FakeStream {
  chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 200) {}
  write(chunk: unknown): boolean {
    this.chunks.push(String(chunk));
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const model: CallbackModel = {
  stopTraining: false,
  getWeights: () => [new Tensor(new Float32Array(1), [1])],
  setWeights: () => {},
};

interface EpochScript {
  /** Milliseconds each batch takes. */
  msPerBatch: number[];
  batchLogs: (batch: number) => Logs;
  epochLogs: Logs;
}

/** fit's loop around its callbacks, with each batch taking the scripted time on the fake clock. */
async function fit(logger: ProgressLogger, epochs: EpochScript[], steps: number, stream?: FakeStream) {
  const list = new CallbackList([logger], model, { epochs: epochs.length, steps, verbose: logger.verbose });
  await list.onTrainBegin();
  for (const [epoch, script] of epochs.entries()) {
    await list.onEpochBegin(epoch);
    for (const [batch, ms] of script.msPerBatch.entries()) {
      await list.onTrainBatchBegin(batch);
      jest.advanceTimersByTime(ms);
      await list.onTrainBatchEnd(batch, script.batchLogs(batch));
      stream?.chunks.push(`<batch ${batch} done>`);
    }
    await list.onEpochEnd(epoch, script.epochLogs);
  }
  await list.onTrainEnd();
}

const GREEN = (n: number) => `\x1b[32m${'━'.repeat(n)}\x1b[0m`;
const GREY = (n: number) => `\x1b[37m${'━'.repeat(n)}\x1b[0m`;
const BOLD = (s: string) => `\x1b[1m${s}\x1b[0m`;

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('verbose 2', () => {
  test('prints "Epoch i/n" and one line per epoch: count, seconds, time per step, every log', async () => {
    const stream = new FakeStream(false);
    const logger = new ProgressLogger(2, stream as unknown as NodeJS.WritableStream);
    await fit(
      logger,
      [
        // 32 batches of 5 ms: 0.16 s, "0s", 0.16 / 32 = 5 ms per step.
        { msPerBatch: new Array(32).fill(5), batchLogs: () => ({ loss: 9 }), epochLogs: { accuracy: 0.75, loss: 0.4321 } },
        // 32 batches of 75 ms: 2.4 s, "2s", 75 ms per step.
        {
          msPerBatch: new Array(32).fill(75),
          batchLogs: () => ({ loss: 9 }),
          epochLogs: { accuracy: 0.8125, loss: 0.3, val_accuracy: 0.5, val_loss: 0.51 },
        },
      ],
      32,
    );
    expect(stream.text).toBe(
      'Epoch 1/2\n' +
        '32/32 - 0s - 5ms/step - accuracy: 0.7500 - loss: 0.4321\n' +
        'Epoch 2/2\n' +
        '32/32 - 2s - 75ms/step - accuracy: 0.8125 - loss: 0.3000 - val_accuracy: 0.5000 - val_loss: 0.5100\n',
    );
  });

  test('one epoch prints no "Epoch 1/1" line; the count is padded to the width of the step total', async () => {
    const stream = new FakeStream(false);
    const logger = new ProgressLogger(2, stream as unknown as NodeJS.WritableStream);
    // 100 steps of 12 ms: 1.2 s, "1s", 12 ms per step; a small loss is shown in e-notation.
    await fit(logger, [{ msPerBatch: new Array(100).fill(12), batchLogs: () => ({}), epochLogs: { loss: 0.0004 } }], 100);
    expect(stream.text).toBe('100/100 - 1s - 12ms/step - loss: 4.0000e-04\n');
  });

  test('steps of a second or more are shown in s/step', async () => {
    const stream = new FakeStream(false);
    const logger = new ProgressLogger(2, stream as unknown as NodeJS.WritableStream);
    await fit(logger, [{ msPerBatch: [1400, 1400, 1400], batchLogs: () => ({}), epochLogs: { loss: 1.5 } }], 3);
    expect(stream.text).toBe('3/3 - 4s - 1s/step - loss: 1.5000\n');
  });
});

describe('verbose 1 on a stream that is not a terminal', () => {
  test('prints only the final line of each epoch, with the bar full and every log, val_ ones too', async () => {
    const stream = new FakeStream(false);
    const logger = new ProgressLogger(1, stream as unknown as NodeJS.WritableStream);
    const epoch = (loss: number): EpochScript => ({
      msPerBatch: [30, 10, 10, 10],
      batchLogs: (b) => ({ loss: 1 / (b + 1), accuracy: 0.5 }),
      epochLogs: { loss, accuracy: 0.40625, val_loss: 0.5, val_accuracy: 0.0005 },
    });
    await fit(logger, [epoch(0.25), epoch(-0.125)], 4, stream);
    // Time per step leaves out the first batch: (60 - 30) ms / 3 = 10 ms. Nothing is written per batch.
    // 0.40625 is a tie at 4 decimals; Python rounds it to even (0.4062). |v| <= 1e-3 is in e-notation.
    const line = (loss: string) =>
      `4/4 ${'━'.repeat(20)} 0s 10ms/step - loss: ${loss} - accuracy: 0.4062 - val_loss: 0.5000 - val_accuracy: 5.0000e-04\n`;
    const batchesDone = '<batch 0 done><batch 1 done><batch 2 done><batch 3 done>';
    expect(stream.text).toBe(`Epoch 1/2\n${batchesDone}${line('0.2500')}Epoch 2/2\n${batchesDone}${line('-0.1250')}`);
  });
});

describe('verbose 1 on a terminal', () => {
  test('redraws the coloured bar after a batch, with the time left, then ends the epoch on a final line', async () => {
    const stream = new FakeStream(true);
    const logger = new ProgressLogger(1, stream as unknown as NodeJS.WritableStream);
    await fit(
      logger,
      [{ msPerBatch: [200, 200, 200, 200], batchLogs: (b) => ({ loss: 1 / (b + 1) }), epochLogs: { loss: 0.125 } }],
      4,
      stream,
    );
    const out = stream.text;
    // After batch 0: 1/4 of the bar, 0.2 s per step so far, 0.6 s left ("0s").
    const first = `${BOLD('1/4')} ${GREEN(5)}${GREY(15)} ${BOLD('0s')} 200ms/step - loss: 1.0000`;
    // After batch 2: 3 steps done, (0.6 - 0.2) s / 2 = 200 ms per step, 0.2 s left.
    const third = `${BOLD('3/4')} ${GREEN(15)}${GREY(5)} ${BOLD('0s')} 200ms/step - loss: 0.3333`;
    // At the end: the seconds since the epoch began (0.8 s, "1s") instead of the time left.
    const last = `${BOLD('4/4')} ${GREEN(20)}${GREY(0)} ${BOLD('1s')} 200ms/step - loss: 0.1250`;
    expect(out.indexOf(first)).toBeGreaterThan(-1);
    expect(out.indexOf(first)).toBeLessThan(out.indexOf('<batch 0 done>'));
    expect(out.indexOf(third)).toBeGreaterThan(out.indexOf('<batch 1 done>'));
    expect(out.indexOf(third)).toBeLessThan(out.indexOf('<batch 2 done>'));
    expect(out.indexOf(last)).toBeGreaterThan(out.indexOf('<batch 3 done>'));
    // Each drawing starts at the line's first column; the final one is followed by a line break.
    expect(out).toContain(`\x1b[1G${first}`);
    expect(out.slice(out.indexOf(last))).toMatch(/\n$/);
    expect(out.slice(out.indexOf(last) + last.length)).not.toMatch(/\d\/4/);
  });
});

describe('ProgressLogger options', () => {
  test('verbose must be 1 or 2', () => {
    expect(() => new ProgressLogger(0 as never)).toThrow(ValueError);
    expect(() => new ProgressLogger(3 as never)).toThrow(/verbose must be 1 or 2, got number 3/);
  });

  test('the stream must be writable', () => {
    expect(() => new ProgressLogger(1, {} as never)).toThrow(InputTypeError);
    expect(() => new ProgressLogger(1, {} as never)).toThrow(/stream must be a writable stream/);
  });
});

describe("Keras's number formats (Python's format specs)", () => {
  test('bar values: 4 decimals, e-notation at |v| <= 1e-3', () => {
    expect(formatBarValue(0.4321)).toBe('0.4321');
    expect(formatBarValue(12.3456789)).toBe('12.3457');
    expect(formatBarValue(-0.25)).toBe('-0.2500');
    expect(formatBarValue(0.001)).toBe('1.0000e-03');
    expect(formatBarValue(0.00012345)).toBe('1.2345e-04');
    expect(formatBarValue(0)).toBe('0.0000e+00');
    expect(formatBarValue(NaN)).toBe('nan');
  });

  test('verbose-2 values: e-notation at v <= 1e-3, so every negative value', () => {
    expect(formatSummaryValue(0.4321)).toBe('0.4321');
    expect(formatSummaryValue(-0.25)).toBe('-2.5000e-01');
    expect(formatSummaryValue(-1234.5)).toBe('-1.2345e+03');
  });

  test('exact ties round to even as in Python, where Number#toFixed rounds them up', () => {
    expect(formatFixed(0.40625, 4)).toBe('0.4062'); // 13/32
    expect(formatFixed(0.03125, 4)).toBe('0.0312'); // 1/32
    expect(formatFixed(0.09375, 4)).toBe('0.0938'); // 3/32: the even neighbour is above
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    expect(formatExponent(1.03125, 4)).toBe('1.0312e+00');
  });

  test('e-notation has two exponent digits at least, and carries a rounding into the exponent', () => {
    expect(formatExponent(9.99996e-4, 4)).toBe('1.0000e-03');
    expect(formatExponent(1e-300, 4)).toBe('1.0000e-300');
    expect(formatExponent(-0, 4)).toBe('-0.0000e+00');
  });

  test('step times: whole s, ms or us, with a leading space', () => {
    expect(formatStepTime(2.4)).toBe(' 2s/step');
    expect(formatStepTime(0)).toBe(' 0s/step');
    expect(formatStepTime(0.0254)).toBe(' 25ms/step');
    expect(formatStepTime(0.00084)).toBe(' 840us/step');
  });

  test('time left: h:mm:ss past an hour, m:ss past a minute, else whole seconds, all cut down', () => {
    expect(formatEta(3725.9)).toBe('1:02:05');
    expect(formatEta(125.9)).toBe('2:05');
    expect(formatEta(42.9)).toBe('42s');
    expect(formatEta(0)).toBe('0s');
  });
});
