// Every layer's training backward pass against central finite differences of its own training
// forward pass (the same dropout draws replayed), for each option that changes the gradient's path:
// Dense (activations, softmax, 3-D input), Embedding (sparse rows, repeated ids), Dropout
// (noiseShape), Masking, the recurrent layers (dropout, goBackwards, returnSequences, returnState,
// masks from an Embedding) and Bidirectional (every merge mode), alone and stacked.
//
// The loss is sum(w * output) for fixed random w per output. The layers compute in float32, so
// the differences use a step of 1e-2: the float32 rounding of a loss of a few dozen O(1) terms
// (~1e-6) divided by the step stays near 1e-4, and the truncation error (step^2 * L''') is of the
// same order; a tolerance of 2e-3 + 2e-2 * |g| is above both, and far below the size of a
// missing or wrong term (1e-1 and up for these weights). The kernels' own gradients are checked
// in float64 in test/kernels/rnn-gradients.test.ts.
// util.types: typed arrays made by the native addon come from another realm under jest's vm.
import { types } from 'util';
import {
  Activation,
  Bidirectional,
  Dense,
  Flatten,
  ReLU,
  TimeDistributed,
  Dropout,
  Embedding,
  GRU,
  LSTM,
  Masking,
  SimpleRNN,
  Tensor,
} from '../../src';
import type { AsyncTrainStep, Layer, RandomSource, StepMask, TrainStep, WeightGradient } from '../../src/layers/layer';
import { Rng } from '../helpers/random';

/** A random source that replays the same numbers for every pass. */
function replay(seed: string): () => RandomSource {
  return () => {
    const rng = new Rng(seed);
    return { next: () => rng.float() };
  };
}

interface Chain {
  steps: TrainStep[];
  outputs: Tensor[];
}

function forward(layers: Layer[], x: Tensor, random: RandomSource, mask: StepMask | null = null): Chain {
  const steps: TrainStep[] = [];
  let input = x;
  let m = mask;
  let outputs: Tensor[] = [];
  for (const layer of layers) {
    const step = layer.invokeTrain(input, { mask: m }, random);
    steps.push(step);
    outputs = Array.isArray(step.result.output) ? step.result.output : [step.result.output];
    input = outputs[0];
    m = step.result.mask;
  }
  return { steps, outputs };
}

function lossOf(outputs: Tensor[], w: Float32Array[]): number {
  let loss = 0;
  outputs.forEach((o, k) => o.data.forEach((v, i) => (loss += v * w[k][i])));
  return loss;
}

function dense(g: WeightGradient, size: number): Float32Array {
  if (types.isFloat32Array(g)) return g;
  const out = new Float32Array(size);
  for (let r = 0; r < g.rows.length; r++) for (let j = 0; j < g.width; j++) out[g.rows[r] * g.width + j] += g.values[r * g.width + j];
  return out;
}

function expectClose(analytic: Float32Array, numeric: Float64Array, what: string): void {
  const bad: string[] = [];
  for (let i = 0; i < numeric.length; i++) {
    if (Math.abs(analytic[i] - numeric[i]) > 2e-3 + 2e-2 * Math.abs(numeric[i])) bad.push(`${what}[${i}]: analytic ${analytic[i]}, numeric ${numeric[i]}`);
  }
  expect(bad).toEqual([]);
}

/** Checks d loss / d x (unless ids) and d loss / d every weight of every layer. */
function checkGradients(name: string, layers: Layer[], x: Tensor, options: { ids?: boolean; fixedX?: (i: number) => boolean } = {}): void {
  const random = replay(name);
  const first = forward(layers, x, random());
  const rng = new Rng(`${name} w`);
  const w = first.outputs.map((o) => rng.float32Array(o.data.length, 1));
  // Backward through the chain: the last layer gets every output's gradient.
  const grads: WeightGradient[][] = [];
  let d: Float32Array[] = w;
  let dx: Float32Array | null = null;
  for (let i = layers.length - 1; i >= 0; i--) {
    const g = first.steps[i].backward(d);
    grads[i] = g.grads;
    dx = g.dx;
    if (dx === null) break;
    d = [dx];
  }
  const eps = 1e-2;
  const numeric = (values: Float32Array, changed: () => void): Float64Array => {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const keep = values[i];
      values[i] = keep + eps;
      changed();
      const up = lossOf(forward(layers, x, random()).outputs, w);
      values[i] = keep - eps;
      changed();
      const down = lossOf(forward(layers, x, random()).outputs, w);
      values[i] = keep;
      changed();
      out[i] = (up - down) / (2 * eps);
    }
    return out;
  };
  if (!options.ids) {
    // fixedX: elements whose every change changes something not differentiable (a Masking step's
    // padding: any other value unmasks the step); their gradient is 0 by definition.
    const fixed = options.fixedX ?? (() => false);
    const num = numeric(x.data, () => {});
    const analytic = Float32Array.from(dx!, (v, i) => (fixed(i) ? 0 : v));
    for (let i = 0; i < num.length; i++) if (fixed(i)) num[i] = 0;
    expectClose(analytic, num, 'x');
    for (let i = 0; i < num.length; i++) if (fixed(i)) expect(dx![i]).toBe(0);
  }
  layers.forEach((layer, li) => {
    layer.weightVariables().forEach((v, k) => {
      const got = dense(grads[li][k], v.value.length);
      expectClose(got, numeric(v.value, () => layer.markWeightsChanged()), `${layer.name}/${v.name}`);
    });
  });
}

function input(name: string, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Rng(name).float32Array(n, 1), shape);
}

function ids(values: number[][]): Tensor {
  return new Tensor(Float32Array.from(values.flat()), [values.length, values[0].length]);
}

describe('layer gradients match central differences of the training forward pass', () => {
  test.each([
    ['linear', [3, 4]],
    ['tanh', [3, 4]],
    ['sigmoid', [2, 3, 4]],
    ['softmax', [3, 4]],
    ['elu', [3, 4]],
  ])('Dense(3, %s) on input %j', (activation, shape) => {
    const layer = new Dense(3, { activation: activation as string, seed: 1, biasInitializer: 'glorot_uniform' });
    checkGradients(`dense ${activation}`, [layer], input(`dense ${activation}`, shape as number[]));
  });

  test('Dense without bias has one gradient, the kernel', () => {
    const layer = new Dense(2, { useBias: false, seed: 2 });
    checkGradients('dense nobias', [layer], input('dense nobias', [2, 3]));
    expect(layer.weightVariables().map((v) => v.name)).toEqual(['kernel']);
  });

  test('Embedding: a sparse gradient over the ids in the batch, repeats adding up', () => {
    const layer = new Embedding(6, 3, { seed: 3 });
    checkGradients('embedding', [layer], ids([[1, 2, 1], [5, 1, 0]]), { ids: true });
  });

  test('Dropout scales the gradient by the same mask as the output (noiseShape shared along axis 1)', () => {
    checkGradients('dropout', [new Dropout(0.5, { noiseShape: [null, 1, null] })], input('dropout', [2, 3, 4]));
  });

  test('Masking passes the gradient of kept steps only', () => {
    const x = input('masking', [2, 3, 2]);
    x.data.fill(0, 2, 4); // sample 0, step 1 masked
    checkGradients('masking', [new Masking(), new LSTM(2, { seed: 4, returnSequences: true })], x, { fixedX: (i) => i === 2 || i === 3 });
  });

  test.each(['tanh', 'softmax', 'selu'])('Activation(%s)', (activation) => {
    checkGradients(`activation ${activation}`, [new Dense(3, { seed: 9 }), new Activation(activation)], input(`activation ${activation}`, [2, 4]));
  });

  test('ReLU with a cap and a negative slope', () => {
    // Inputs kept away from the kinks (0.2 and 0.5), where differences are not derivatives.
    const x = input('relu', [3, 4]);
    x.data.forEach((v, i) => (x.data[i] = Math.abs(v - 0.2) < 0.05 || Math.abs(v - 0.5) < 0.05 ? v + 0.11 : v));
    checkGradients('relu', [new ReLU({ maxValue: 0.5, negativeSlope: 0.1, threshold: 0.2 })], x);
  });

  test('Flatten passes the gradient through in order', () => {
    checkGradients('flatten', [new LSTM(2, { seed: 10, returnSequences: true }), new Flatten(), new Dense(2, { seed: 11 })], input('flatten', [2, 3, 2]));
  });

  test('TimeDistributed(Dense) gives the wrapped Dense its gradients', () => {
    checkGradients('timedistributed', [new TimeDistributed(new Dense(3, { seed: 12, activation: 'tanh' }))], input('timedistributed', [2, 3, 4]));
  });

  const cells = [
    ['SimpleRNN', (o: object) => new SimpleRNN(3, { seed: 5, ...o })],
    ['LSTM', (o: object) => new LSTM(3, { seed: 6, ...o })],
    ['GRU', (o: object) => new GRU(3, { seed: 7, ...o })],
    ['GRU resetAfter false', (o: object) => new GRU(3, { seed: 8, resetAfter: false, ...o })],
  ] as const;
  const rnnOptions: object[] = [
    {},
    { returnSequences: true, goBackwards: true },
    { dropout: 0.3, recurrentDropout: 0.3, returnSequences: true },
    { dropout: 0.3 },
    { returnState: true },
  ];
  test.each(cells.flatMap(([name, make]) => rnnOptions.map((o) => [`${name} ${JSON.stringify(o)}`, make, o] as const)))(
    '%s',
    (label, make, o) => {
      checkGradients(label, [make(o)], input(label, [2, 4, 3]));
    },
  );

  test('Embedding(maskZero) -> LSTM(returnSequences) -> LSTM -> Dense: masks flow through the stack', () => {
    const layers = [
      new Embedding(7, 3, { maskZero: true, seed: 9 }),
      new LSTM(3, { returnSequences: true, seed: 10 }),
      new LSTM(2, { seed: 11 }),
      new Dense(1, { activation: 'sigmoid', seed: 12 }),
    ];
    checkGradients('stack', layers, ids([[0, 0, 3, 4, 2], [5, 6, 1, 2, 3]]), { ids: true });
  });

  test.each(['concat', 'sum', 'mul', 'ave', null] as const)('Bidirectional(LSTM, returnSequences) mergeMode %s', (mode) => {
    const layer = new Bidirectional(new LSTM(2, { returnSequences: true, seed: 13 }), { mergeMode: mode });
    checkGradients(`bidi ${mode}`, [layer], input(`bidi ${mode}`, [2, 3, 3]));
  });

  test('Bidirectional(GRU, returnState) last output, merged concat, with both directions\' states', () => {
    const layer = new Bidirectional(new GRU(2, { returnState: true, seed: 14 }));
    checkGradients('bidi state', [layer], input('bidi state', [2, 3, 3]));
  });

  test('Bidirectional(SimpleRNN) -> Dense: the gradient reaches x through both directions', () => {
    checkGradients('bidi dense', [new Bidirectional(new SimpleRNN(3, { seed: 15 })), new Dense(2, { seed: 16 })], input('bidi dense', [2, 4, 2]));
  });
});

describe('the async training pass (fit uses it) gives the synchronous pass\'s outputs and gradients', () => {
  const cases: [string, () => Layer[], Tensor][] = [
    ['LSTM with dropout -> Dense', () => [new LSTM(3, { seed: 20, dropout: 0.2, recurrentDropout: 0.2 }), new Dense(2, { seed: 21 })], input('async lstm', [3, 4, 2])],
    ['Bidirectional(GRU, returnSequences)', () => [new Bidirectional(new GRU(2, { seed: 22, returnSequences: true }))], input('async bidi', [2, 3, 3])],
    ['Embedding -> SimpleRNN', () => [new Embedding(5, 2, { seed: 23 }), new SimpleRNN(2, { seed: 24 })], ids([[1, 2, 3], [4, 0, 1]])],
  ];
  test.each(cases)('%s', async (name, make, x) => {
    const layers = make();
    const random = replay(name);
    const sync = forward(layers, x, random());
    const w = sync.outputs.map((o) => new Rng(`${name} w`).float32Array(o.data.length, 1));
    const chain = async (backward: (i: number, d: Float32Array[]) => Promise<{ dx: Float32Array | null; grads: WeightGradient[] }>) => {
      const grads: WeightGradient[][] = [];
      let d = w;
      for (let i = layers.length - 1; i >= 0; i--) {
        const g = await backward(i, d);
        grads[i] = g.grads;
        if (g.dx === null) break;
        d = [g.dx];
      }
      return grads;
    };
    const syncGrads = await chain(async (i, d) => sync.steps[i].backward(d));
    // The async chain, with the same dropout draws.
    const r = random();
    const steps: AsyncTrainStep[] = [];
    let inputTensor = x;
    let mask: StepMask | null = null;
    let outputs: Tensor[] = [];
    for (const layer of layers) {
      const step = await layer.invokeTrainAsync(inputTensor, { mask }, r);
      steps.push(step);
      outputs = Array.isArray(step.result.output) ? step.result.output : [step.result.output];
      inputTensor = outputs[0];
      mask = step.result.mask;
    }
    const asyncGrads = await chain((i, d) => steps[i].backward(d));
    expect(outputs.map((o) => Array.from(o.data))).toEqual(sync.outputs.map((o) => Array.from(o.data)));
    const plain = (gs: WeightGradient[][]) => gs.map((list) => list.map((g) => (types.isFloat32Array(g) ? Array.from(g) : { rows: Array.from(g.rows), values: Array.from(g.values) })));
    expect(plain(asyncGrads)).toEqual(plain(syncGrads));
  });
});
