// The TypeScript backend's activations (src/backend/ts/activations.ts) at chosen points, extremes
// included. Both backends' activations through denseForward: test/kernels/hand-computed.test.ts.
import { applyActivation, sigmoid, tanh } from '../../src/backend/ts/activations';
import { ACTIVATION_FORMULAS, ACTIVATION_NAMES } from '../helpers/activation-formulas';

describe('activations', () => {
  const points = [-1000, -3, -1, -0.5, 0, 1, 2.5, 7, 1000];

  test.each(ACTIVATION_NAMES)('%s matches its formula', (name) => {
    const values = Float32Array.from(points);
    applyActivation(name, values, 0, values.length);
    const expected = Float32Array.from(points, ACTIVATION_FORMULAS[name]);
    for (let i = 0; i < points.length; i++) {
      if (!Number.isFinite(expected[i])) expect(values[i]).toBe(expected[i]); // exponential(1000) = Infinity
      else expect(values[i]).toBeCloseTo(expected[i], 6);
    }
  });

  test('hard_sigmoid: Keras 3 (x/6 + 0.5) and Keras 2 (0.2x + 0.5) differ', () => {
    const keras3 = Float32Array.of(1, -3, 3, 2.5);
    const keras2 = Float32Array.of(1, -3, 3, 2.5);
    applyActivation('hard_sigmoid', keras3, 0, 4);
    applyActivation('hard_sigmoid_keras2', keras2, 0, 4);
    expect(keras3[0]).toBeCloseTo(0.6666667, 7);
    expect(keras2[0]).toBeCloseTo(0.7, 7);
    expect(Array.from(keras3.subarray(1))).toEqual([0, 1, Math.fround(2.5 / 6 + 0.5)]);
    expect(Array.from(keras2.subarray(1))).toEqual([0, 1, 1]);
  });

  test('sigmoid, softplus and silu stay finite at extreme inputs', () => {
    const values = Float32Array.of(-1e30, 1e30);
    for (const name of ['sigmoid', 'softplus', 'silu'] as const) {
      const v = values.slice();
      applyActivation(name, v, 0, 2);
      expect(v.every((e) => !Number.isNaN(e))).toBe(true);
    }
  });

  test('only [start, end) is touched', () => {
    const values = Float32Array.of(-1, -2, -3, -4);
    applyActivation('relu', values, 1, 3);
    expect(Array.from(values)).toEqual([-1, 0, 0, -4]);
  });

  // tanh and sigmoid are approximations (a rational function for tanh; sigmoid through it down to
  // x = -6, through exp below), checked against Math in float64 over a dense grid.
  describe('tanh and sigmoid against Math, relative error', () => {
    const { abs, exp, max, fround, tanh: mathTanh } = Math;
    const exactSigmoid = (x: number): number => (x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)));
    /** Every 1e-4 over [-40, 40], powers of 1.01 from 1e-300 to 1 with both signs, and the clamp edges. */
    function grid(): number[] {
      const xs: number[] = [];
      for (let i = -400000; i <= 400000; i++) xs.push(i * 1e-4);
      for (let x = 1e-300; x < 1; x *= 1.01) xs.push(x, -x);
      xs.push(9.1, -9.1, 9.0999999, -9.0999999, 6, -6, -6.0000001, -5.9999999, 745, -745, 1e300, -1e300);
      return xs;
    }

    test('tanh: within 3e-8 everywhere, 1e-9 below |x| = 9.1 (past it tanh is +-1 in float32)', () => {
      let worst = 0;
      let worstInside = 0;
      const float32Differs: number[] = [];
      for (const x of grid()) {
        const want = mathTanh(x);
        const err = want === 0 ? abs(tanh(x)) : abs(tanh(x) - want) / abs(want);
        worst = max(worst, err);
        if (abs(x) < 9.1) worstInside = max(worstInside, err);
        else if (fround(tanh(x)) !== fround(want)) float32Differs.push(x);
      }
      expect(worst).toBeLessThan(3e-8);
      expect(worstInside).toBeLessThan(1e-9);
      expect(float32Differs).toEqual([]);
    });

    test('sigmoid: within 3e-8 everywhere', () => {
      let worst = 0;
      for (const x of grid()) {
        const want = exactSigmoid(x);
        worst = max(worst, want === 0 ? abs(sigmoid(x)) : abs(sigmoid(x) - want) / want);
      }
      expect(worst).toBeLessThan(3e-8);
    });

    test('signed zeros, infinities and NaN', () => {
      expect(Object.is(tanh(0), 0)).toBe(true);
      expect(Object.is(tanh(-0), -0)).toBe(true);
      expect([tanh(Infinity), tanh(-Infinity), sigmoid(Infinity), sigmoid(-Infinity), sigmoid(0)]).toEqual([1, -1, 1, 0, 0.5]);
      expect(Number.isNaN(tanh(NaN))).toBe(true);
      expect(Number.isNaN(sigmoid(NaN))).toBe(true);
    });
  });
});
