// On the native backend, predictAsync runs the kernels off the event loop: timers keep firing
// while a long batch is computed.
import { LSTM, Sequential, backend, tensor } from '../src';

const onNative = backend().name === 'native' ? test : test.skip;

onNative('the event loop keeps turning during a long predictAsync (native backend)', async () => {
  const model = new Sequential([new LSTM(128, { inputShape: [400, 64], seed: 1 })]);
  const x = tensor(new Float32Array(64 * 400 * 64).fill(0.01), [64, 400, 64]);
  model.predict(tensor(x.data.subarray(0, 400 * 64), [1, 400, 64])); // warm up
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = process.hrtime.bigint();
  const y = await model.predictAsync(x);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(timer);
  expect(y.shape).toEqual([64, 128]);
  // A 1 ms interval fires many times unless the thread is blocked for the whole call; require a
  // small fraction of the possible ticks so a busy machine cannot make this flaky.
  expect(ticks).toBeGreaterThanOrEqual(Math.min(5, Math.floor(elapsedMs / 20)));
  expect(elapsedMs).toBeGreaterThan(20); // the batch is long enough for the check to mean something
});
