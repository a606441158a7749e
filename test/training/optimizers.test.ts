// Optimizers: the Keras 3 update rules, clipping, sparse gradients, names and errors.
// Expected values are worked out here in float64 from the formulas, or are Keras's own test values.
import { InputTypeError, ShapeError, ValueError } from '../../src/errors';
import { Adagrad, Adam, Gradient, Optimizer, RMSprop, SGD, Variable, getOptimizer } from '../../src/training/optimizers';

function variable(name: string, values: number[]): Variable {
  return { name, value: Float32Array.from(values) };
}

function f32(values: number[]): Float32Array {
  return Float32Array.from(values);
}

/** Float32 storage of the float64 expectation: relative error ~6e-8, so 6 significant digits are safe. */
function expectValues(actual: Float32Array, expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}

/** Keras's golden-value tests: one step with 0.01 everywhere, then five with 0.1, 0.2, ..., 1.0. */
function kerasGoldenRun(optimizer: Optimizer, golden: number[][]): void {
  const x = variable('x', new Array(10).fill(1));
  const grads = f32([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
  optimizer.apply([f32(new Array(10).fill(0.01))], [x]);
  for (const row of golden) {
    const expected = row.length === 1 ? new Array(10).fill(row[0]) : row;
    expected.forEach((e, i) => expect(Math.abs(x.value[i] - e)).toBeLessThanOrEqual(5e-4 + 5e-4 * Math.abs(e)));
    optimizer.apply([grads], [x]);
  }
}

describe('SGD', () => {
  test('without momentum subtracts learningRate * gradient at each step', () => {
    const w = variable('w', [1, -2]);
    const sgd = new SGD({ learningRate: 0.1 });
    sgd.apply([f32([0.5, 1])], [w]);
    expectValues(w.value, [0.95, -2.1]);
    sgd.apply([f32([-1, 0.25])], [w]);
    expectValues(w.value, [1.05, -2.125]);
  });

  test("matches Keras's single-step test (lr 0.5)", () => {
    const w = variable('w', [1, 2, 3, 4]);
    new SGD({ learningRate: 0.5 }).apply([f32([1, 6, 7, 2])], [w]);
    expectValues(w.value, [0.5, -1, -0.5, 3]);
  });

  test('with momentum keeps a velocity v = momentum * v - lr * g and adds it', () => {
    const w = variable('w', [1]);
    const sgd = new SGD({ learningRate: 0.1, momentum: 0.9 });
    let v = 0;
    let expected = 1;
    for (const g of [0.5, -0.25, 1]) {
      sgd.apply([f32([g])], [w]);
      v = 0.9 * v - 0.1 * g;
      expected += v;
      expectValues(w.value, [expected]);
    }
  });

  test('with nesterov adds momentum * v - lr * g instead of v', () => {
    const w = variable('w', [2]);
    const sgd = new SGD({ learningRate: 0.05, momentum: 0.8, nesterov: true });
    let v = 0;
    let expected = 2;
    for (const g of [1, 3, -2]) {
      sgd.apply([f32([g])], [w]);
      v = 0.8 * v - 0.05 * g;
      expected += 0.8 * v - 0.05 * g;
      expectValues(w.value, [expected]);
    }
  });

  test("matches Keras's golden values for SGD(nesterov=True) (momentum 0: plain steps of 0.01 * g)", () => {
    // prettier-ignore
    kerasGoldenRun(new SGD({ nesterov: true }), [
      [0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999],
      [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
      [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
      [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
      [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599],
    ]);
  });

  test('has Keras defaults: learning rate 0.01, momentum 0, no nesterov', () => {
    const sgd = new SGD();
    expect(sgd.learningRate).toBe(0.01);
    expect(sgd.getConfig()).toMatchObject({ learning_rate: 0.01, momentum: 0, nesterov: false });
  });

  test('rejects a momentum outside [0, 1] with a ValueError', () => {
    expect(() => new SGD({ momentum: 1.5 })).toThrow(ValueError);
    expect(() => new SGD({ momentum: -0.1 })).toThrow(/momentum must be a number in \[0, 1\], got -0.1/);
  });
});

describe('Adam', () => {
  test('takes steps alpha * m / (sqrt(v) + eps) with alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)', () => {
    // A large epsilon, so that where it goes (outside the root) shows in the numbers.
    const [lr, b1, b2, eps] = [0.1, 0.9, 0.999, 0.01];
    const w = variable('w', [1, -1]);
    const adam = new Adam({ learningRate: lr, epsilon: eps });
    const steps = [
      [0.5, 2],
      [-0.25, 1],
      [1, -3],
    ];
    const m = [0, 0];
    const v = [0, 0];
    const expected = [1, -1];
    steps.forEach((g, s) => {
      adam.apply([f32(g)], [w]);
      const t = s + 1;
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < 2; i++) {
        m[i] += (g[i] - m[i]) * (1 - b1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
        expected[i] -= (alpha * m[i]) / (Math.sqrt(v[i]) + eps);
      }
      expectValues(w.value, expected);
    });
  });

  test("matches Keras's single-step test (lr 0.5: every value moves by about lr)", () => {
    const w = variable('w', [1, 2, 3, 4]);
    new Adam({ learningRate: 0.5 }).apply([f32([1, 6, 7, 2])], [w]);
    expectValues(w.value, [0.5, 1.5, 2.5, 3.5], 4);
  });

  test('with amsgrad divides by the running maximum of v', () => {
    const [lr, b1, b2, eps] = [0.01, 0.9, 0.9, 1e-7];
    const w = variable('w', [0]);
    const adam = new Adam({ learningRate: lr, beta2: b2, amsgrad: true });
    let [m, v, vHat, expected] = [0, 0, 0, 0];
    [3, 0.01, 0.01].forEach((g, s) => {
      adam.apply([f32([g])], [w]);
      const t = s + 1;
      m += (g - m) * (1 - b1);
      v += (g * g - v) * (1 - b2);
      vHat = Math.max(vHat, v);
      expected -= (((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)) * m) / (Math.sqrt(vHat) + eps);
      expectValues(w.value, [expected], 7);
    });
    // v shrank after the first step, so the maximum differs from v: the test above saw amsgrad at work.
    expect(vHat).toBeGreaterThan(v);
  });

  test("matches Keras's golden values for Adam(amsgrad=True)", () => {
    kerasGoldenRun(new Adam({ amsgrad: true }), [[0.999], [0.9982], [0.9974], [0.9965], [0.9955]]);
  });

  test('has Keras defaults and config names', () => {
    const config = new Adam().getConfig();
    expect(config).toMatchObject({ learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false, clipnorm: null });
    expect(config.name).toMatch(/^adam(_\d+)?$/);
  });
});

describe('RMSprop', () => {
  test('divides by sqrt(v + eps) with v = rho * v + (1 - rho) * g^2', () => {
    // A large epsilon, so that where it goes (inside the root) shows in the numbers.
    const [lr, rho, eps] = [0.01, 0.9, 0.01];
    const w = variable('w', [1, 2]);
    const rms = new RMSprop({ learningRate: lr, epsilon: eps });
    const v = [0, 0];
    const expected = [1, 2];
    [
      [1, -0.5],
      [0.2, 0.3],
      [-2, 0],
    ].forEach((g) => {
      rms.apply([f32(g)], [w]);
      for (let i = 0; i < 2; i++) {
        v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
        expected[i] -= (lr * g[i]) / Math.sqrt(v[i] + eps);
      }
      expectValues(w.value, expected);
    });
  });

  test("reproduces Keras's docstring example: 10 -> 9.683772 with lr 0.1 and gradient 10", () => {
    const w = variable('w', [10]);
    new RMSprop({ learningRate: 0.1 }).apply([f32([10])], [w]);
    expectValues(w.value, [9.683772], 5);
  });

  test("matches Keras's single-step test (lr 0.5)", () => {
    const w = variable('w', [1, 2, 3, 4]);
    new RMSprop({ learningRate: 0.5 }).apply([f32([1, 6, 7, 2])], [w]);
    expectValues(w.value, [-0.5811, 0.4189, 1.4189, 2.4189], 4);
  });

  test('centered subtracts the squared mean gradient inside the root', () => {
    const [lr, rho, eps] = [0.01, 0.8, 1e-7];
    const w = variable('w', [0]);
    const rms = new RMSprop({ learningRate: lr, rho, centered: true });
    let [v, a, expected] = [0, 0, 0];
    [1, 0.5, -1].forEach((g) => {
      rms.apply([f32([g])], [w]);
      v = rho * v + (1 - rho) * g * g;
      a = rho * a + (1 - rho) * g;
      expected -= (lr * g) / Math.sqrt(v - a * a + eps);
      expectValues(w.value, [expected]);
    });
  });

  test("matches Keras's golden values for RMSprop(centered=True)", () => {
    kerasGoldenRun(new RMSprop({ centered: true }), [[0.9967], [0.9933], [0.9908], [0.9885], [0.9864]]);
  });

  test('with momentum accumulates mom = momentum * mom + increment and subtracts it', () => {
    const [lr, rho, eps, mu] = [0.01, 0.9, 1e-7, 0.5];
    const w = variable('w', [0]);
    const rms = new RMSprop({ learningRate: lr, momentum: mu });
    let [v, mom, expected] = [0, 0, 0];
    [1, 2, -1].forEach((g) => {
      rms.apply([f32([g])], [w]);
      v = rho * v + (1 - rho) * g * g;
      mom = mu * mom + (lr * g) / Math.sqrt(v + eps);
      expected -= mom;
      expectValues(w.value, [expected]);
    });
  });
});

describe('Adagrad', () => {
  test('accumulates g^2 from initialAccumulatorValue and divides by sqrt(acc + eps)', () => {
    const [lr, eps] = [0.1, 0.01];
    const w = variable('w', [1, -1]);
    const ada = new Adagrad({ learningRate: lr, epsilon: eps });
    const acc = [0.1, 0.1];
    const expected = [1, -1];
    [
      [1, 0.5],
      [2, -0.5],
      [0, 1],
    ].forEach((g) => {
      ada.apply([f32(g)], [w]);
      for (let i = 0; i < 2; i++) {
        acc[i] += g[i] * g[i];
        expected[i] -= (lr * g[i]) / Math.sqrt(acc[i] + eps);
      }
      expectValues(w.value, expected);
    });
  });

  test("matches Keras's single-step test (lr 0.5)", () => {
    const w = variable('w', [1, 2, 3, 4]);
    new Adagrad({ learningRate: 0.5 }).apply([f32([1, 6, 7, 2])], [w]);
    expectValues(w.value, [0.5233, 1.5007, 2.5005, 3.5061], 4);
  });

  test("matches Keras's golden values (lr 0.2, initial accumulator 0.3, epsilon 1e-6)", () => {
    // prettier-ignore
    kerasGoldenRun(new Adagrad({ learningRate: 0.2, initialAccumulatorValue: 0.3, epsilon: 1e-6 }), [
      [0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
      [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
      [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
      [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
      [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825],
    ]);
  });

  test('rejects a negative initialAccumulatorValue', () => {
    expect(() => new Adagrad({ initialAccumulatorValue: -1 })).toThrow(ValueError);
  });
});

describe('steps and the learning rate', () => {
  test('iterations counts applied steps; an empty step is a no-op, as in Keras', () => {
    const w = variable('w', [1]);
    const sgd = new SGD();
    expect(sgd.iterations).toBe(0);
    sgd.apply([], []);
    expect(sgd.iterations).toBe(0);
    sgd.apply([f32([1])], [w]);
    sgd.apply([f32([1])], [w]);
    expect(sgd.iterations).toBe(2);
  });

  test('a learning rate set between steps is used by the next step', () => {
    const w = variable('w', [1]);
    const sgd = new SGD({ learningRate: 0.1 });
    sgd.apply([f32([1])], [w]);
    sgd.learningRate = 0.5;
    sgd.apply([f32([1])], [w]);
    expectValues(w.value, [1 - 0.1 - 0.5]);
    expect(sgd.getConfig().learning_rate).toBe(0.5);
  });

  test('each variable keeps its own slots', () => {
    const a = variable('a', [0]);
    const b = variable('b', [0]);
    const sgd = new SGD({ learningRate: 1, momentum: 0.5 });
    sgd.apply([f32([1]), f32([-2])], [a, b]);
    sgd.apply([f32([0]), f32([0])], [a, b]);
    // v_a: -1, then -0.5; v_b: 2, then 1.
    expectValues(a.value, [-1.5]);
    expectValues(b.value, [3]);
  });

  test('a NaN gradient is applied, as Keras does', () => {
    const w = variable('w', [1, 1]);
    new SGD().apply([f32([NaN, 1])], [w]);
    expect(Number.isNaN(w.value[0])).toBe(true);
    expectValues(w.value.subarray(1), [0.99]);
  });
});

describe('clipping', () => {
  test('clipnorm scales each variable whose L2 norm exceeds it to that norm, separately', () => {
    const a = variable('a', [0, 0]);
    const b = variable('b', [0]);
    new SGD({ learningRate: 1, clipnorm: 1 }).apply([f32([3, 4]), f32([0.5])], [a, b]);
    expectValues(a.value, [-0.6, -0.8]);
    expectValues(b.value, [-0.5]);
  });

  test("clipnorm: Keras's test, [100, 100] with clipnorm 1 becomes [sqrt(2)/2, sqrt(2)/2]", () => {
    const w = variable('w', [0, 0]);
    new SGD({ learningRate: 1, clipnorm: 1 }).apply([f32([100, 100])], [w]);
    expectValues(w.value, [-Math.SQRT1_2, -Math.SQRT1_2]);
  });

  test('clipvalue clips every value to [-clipvalue, clipvalue]', () => {
    const w = variable('w', [0, 0, 0]);
    new SGD({ learningRate: 1, clipvalue: 1 }).apply([f32([-3, 0.5, 2])], [w]);
    expectValues(w.value, [1, -0.5, -1]);
  });

  test('globalClipnorm scales all gradients by globalClipnorm / (joint norm) when the joint norm is larger', () => {
    const a = variable('a', [0]);
    const b = variable('b', [0]);
    const sgd = new SGD({ learningRate: 1, globalClipnorm: 1 });
    sgd.apply([f32([3]), f32([4])], [a, b]);
    expectValues(a.value, [-0.6]);
    expectValues(b.value, [-0.8]);
    sgd.apply([f32([0.3]), f32([0.4])], [a, b]); // joint norm 0.5 < 1: unchanged
    expectValues(a.value, [-0.9]);
    expectValues(b.value, [-1.2]);
  });

  test('clipping happens before the update rule (the momentum accumulates clipped gradients)', () => {
    const w = variable('w', [0]);
    const sgd = new SGD({ learningRate: 1, momentum: 0.5, clipvalue: 1 });
    sgd.apply([f32([10])], [w]);
    sgd.apply([f32([10])], [w]);
    // v = -1, then 0.5 * -1 - 1 = -1.5
    expectValues(w.value, [-2.5]);
  });

  test('only one of clipnorm, clipvalue and globalClipnorm may be set', () => {
    expect(() => new Adam({ clipnorm: 1, clipvalue: 1 })).toThrow(ValueError);
    expect(() => new Adam({ clipnorm: 1, globalClipnorm: 1 })).toThrow(/only one of clipnorm, clipvalue and globalClipnorm/);
  });

  test('a clip value must be null or a finite number > 0', () => {
    expect(() => new SGD({ clipnorm: 0 })).toThrow(ValueError);
    expect(() => new SGD({ clipvalue: -1 })).toThrow(ValueError);
    expect(() => new SGD({ globalClipnorm: '1' as unknown as number })).toThrow(InputTypeError);
    expect(new SGD({ clipnorm: null }).clipnorm).toBeNull();
  });
});

describe('sparse gradients', () => {
  // A (4, 2) table; rows 1 and 3 given, row 1 twice (repeated rows add up).
  const rows = Int32Array.from([1, 3, 1]);
  const values = f32([0.5, -1, 2, 0.25, 0.125, 3]);
  function denseEquivalent(): Float32Array {
    const dense = new Float32Array(8);
    for (let k = 0; k < rows.length; k++) for (let j = 0; j < 2; j++) dense[rows[k] * 2 + j] += values[k * 2 + j];
    return dense;
  }
  const start = [1, 2, 3, 4, 5, 6, 7, 8];

  const cases: Array<[string, () => Optimizer]> = [
    ['SGD', () => new SGD({ learningRate: 0.1 })],
    ['SGD with momentum and clipvalue', () => new SGD({ learningRate: 0.1, momentum: 0.9, clipvalue: 1 })],
    ['Adam with clipnorm', () => new Adam({ learningRate: 0.1, clipnorm: 1 })],
    ['RMSprop centered with momentum', () => new RMSprop({ learningRate: 0.1, centered: true, momentum: 0.5 })],
    ['Adagrad with globalClipnorm', () => new Adagrad({ learningRate: 0.1, globalClipnorm: 0.5 })],
  ];
  test.each(cases)('%s: a sparse gradient gives exactly the numbers of its dense equivalent', (_, make) => {
    const sparseVar = variable('embeddings', start);
    const denseVar = variable('embeddings', start);
    const sparseOpt = make();
    const denseOpt = make();
    for (let step = 0; step < 3; step++) {
      sparseOpt.apply([{ rows, width: 2, values }], [sparseVar]);
      denseOpt.apply([denseEquivalent()], [denseVar]);
      expect(Array.from(sparseVar.value)).toEqual(Array.from(denseVar.value));
    }
    expect(Array.from(sparseVar.value)).not.toEqual(start);
  });

  test('plain SGD changes only the given rows, and a later step does not re-apply earlier rows', () => {
    const w = variable('embeddings', start);
    const sgd = new SGD({ learningRate: 1 });
    sgd.apply([{ rows: Int32Array.from([2]), width: 2, values: f32([1, 1]) }], [w]);
    expect(Array.from(w.value)).toEqual([1, 2, 3, 4, 4, 5, 7, 8]);
    sgd.apply([{ rows: Int32Array.from([0]), width: 2, values: f32([1, 1]) }], [w]);
    expect(Array.from(w.value)).toEqual([0, 1, 3, 4, 4, 5, 7, 8]);
  });

  test('with globalClipnorm the joint norm counts repeated rows after adding them up', () => {
    const table = variable('embeddings', [0, 0]);
    // Row 0 given twice: dense gradient [6, 8], norm 10 -> clipped to [0.6, 0.8].
    new SGD({ learningRate: 1, globalClipnorm: 1 }).apply([{ rows: Int32Array.from([0, 0]), width: 2, values: f32([3, 4, 3, 4]) }], [table]);
    expectValues(table.value, [-0.6, -0.8]);
  });

  test('a row outside the table is a ValueError naming it', () => {
    const w = variable('embeddings', start);
    expect(() => new SGD().apply([{ rows: Int32Array.from([0, 4]), width: 2, values: f32([1, 1, 1, 1]) }], [w])).toThrow(
      /rows in \[0, 4\), got 4 at index 1/,
    );
  });

  test('values of the wrong length or a width that does not divide the variable is a ShapeError', () => {
    const w = variable('embeddings', start);
    expect(() => new SGD().apply([{ rows: Int32Array.from([0]), width: 2, values: f32([1]) }], [w])).toThrow(ShapeError);
    expect(() => new SGD().apply([{ rows: Int32Array.from([0]), width: 3, values: f32([1, 1, 1]) }], [w])).toThrow(ShapeError);
  });
});

describe('errors', () => {
  test('different counts of gradients and variables is a ShapeError', () => {
    expect(() => new SGD().apply([f32([1])], [variable('a', [1]), variable('b', [1])])).toThrow(ShapeError);
  });

  test("a gradient whose length differs from its variable's is a ShapeError naming the variable", () => {
    expect(() => new Adam().apply([f32([1, 2])], [variable('kernel', [1, 2, 3])])).toThrow(/'kernel' must have 3 values, got a Float32Array of length 2/);
  });

  test('a gradient that is neither a Float32Array nor sparse rows is an InputTypeError', () => {
    const bad = [1, 2] as unknown as Gradient;
    expect(() => new SGD().apply([bad], [variable('w', [1, 2])])).toThrow(InputTypeError);
  });

  test('after the first step, a variable the optimizer was not built for is a ValueError', () => {
    const adam = new Adam();
    adam.apply([f32([1])], [variable('a', [1])]);
    expect(() => adam.apply([f32([1])], [variable('b', [1])])).toThrow(/unknown variable 'b'/);
  });

  test.each([0, -0.1, NaN, Infinity])('learningRate %p is a ValueError', (lr) => {
    expect(() => new Adam({ learningRate: lr })).toThrow(ValueError);
    expect(() => {
      new SGD().learningRate = lr;
    }).toThrow(ValueError);
  });

  test('a learningRate that is not a number is an InputTypeError', () => {
    expect(() => new RMSprop({ learningRate: '0.1' as unknown as number })).toThrow(InputTypeError);
  });

  test.each(['weightDecay', 'useEma', 'lossScaleFactor', 'gradientAccumulationSteps', 'beta_1'])(
    'the option %s is unknown: a ValueError listing the known options',
    (key) => {
      expect(() => new Adam({ [key]: 1 } as never)).toThrow(/unknown option .*known options: learningRate, clipnorm, clipvalue, globalClipnorm, beta1, beta2/);
    },
  );
});

describe('getOptimizer', () => {
  test.each([
    ['sgd', SGD],
    ['SGD', SGD],
    ['adam', Adam],
    ['Adam', Adam],
    ['ADAM', Adam],
    ['rmsprop', RMSprop],
    ['RMSprop', RMSprop],
    ['adagrad', Adagrad],
    ['Adagrad', Adagrad],
  ])('%s gives a new %p with Keras defaults', (spec, cls) => {
    const optimizer = getOptimizer(spec as string);
    expect(optimizer).toBeInstanceOf(cls);
    expect(optimizer.iterations).toBe(0);
  });

  test('names the Keras class', () => {
    expect(['sgd', 'adam', 'rmsprop', 'adagrad'].map((n) => getOptimizer(n).name)).toEqual(['SGD', 'Adam', 'RMSprop', 'Adagrad']);
  });

  test('returns an Optimizer as it is', () => {
    const adam = new Adam({ learningRate: 0.01 });
    expect(getOptimizer(adam)).toBe(adam);
  });

  test('an unknown name is a ValueError listing the names', () => {
    expect(() => getOptimizer('adamw')).toThrow(ValueError);
    expect(() => getOptimizer('adamw')).toThrow(/unknown optimizer "adamw"; known optimizers: sgd, adam, rmsprop, adagrad/);
  });

  test('a spec that is neither a name nor an Optimizer is an InputTypeError', () => {
    expect(() => getOptimizer(3 as unknown as string)).toThrow(InputTypeError);
  });
});
