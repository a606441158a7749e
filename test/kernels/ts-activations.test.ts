// The TypeScript backend's activations (src/backend/ts/activations.ts) at chosen points, extremes
// included. Both backends' activations through denseForward: test/kernels/hand-computed.test.ts.
import { applyActivation } from '../../src/backend/ts/activations';
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
});
