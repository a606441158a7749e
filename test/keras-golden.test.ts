// Keras's own expected outputs (keras/src/layers/rnn/*_test.py, Keras 3.16), 46 cases, on the
// backend selected by RNNKIT_BACKEND (the suite runs once per backend).
import * as fs from 'fs';
import * as path from 'path';
import { Tensor, tensor, backend } from '../src';
import { layerFromConfig } from '../src/io/keras-config';
import { BaseRNN } from '../src/layers/rnn';
import { Bidirectional } from '../src/layers/bidirectional';

interface Arr {
  shape: number[];
  data: number[];
}
interface GoldenCase {
  id: string;
  layer: string;
  config: Record<string, unknown>;
  weights: (Arr & { name: string })[];
  inputs: Arr[];
  initial_state?: Arr[];
  mask?: Arr;
  calls?: number;
  outputs: Arr[];
  tolerance: { atol: number; rtol: number };
  features: string[];
}

const dir = path.join(__dirname, 'fixtures', 'keras-golden');
const cases: GoldenCase[] = ['simple_rnn', 'lstm', 'gru', 'bidirectional'].flatMap((f) =>
  JSON.parse(fs.readFileSync(path.join(dir, `${f}.json`), 'utf8')),
);

const toTensor = (a: Arr): Tensor => tensor(Float32Array.from(a.data), a.shape);

function run(c: GoldenCase): Tensor[] {
  const layer = layerFromConfig({ class_name: c.layer, config: c.config }) as BaseRNN | Bidirectional;
  const x = toTensor(c.inputs[0]);
  layer.build([x.shape[0], x.shape[1], x.shape[2]]);
  // The configs' Constant initializers must already give Keras's weights.
  const initial = layer.getWeights();
  c.weights.forEach((w, i) => {
    expect(initial[i].shape).toEqual(w.shape);
    expect(Array.from(initial[i].data)).toEqual(Array.from(Float32Array.from(w.data)));
  });
  layer.setWeights(c.weights.map(toTensor));
  const options = {
    ...(c.initial_state ? { initialState: c.initial_state.map(toTensor) } : {}),
    ...(c.mask ? { mask: toTensor(c.mask) } : {}),
  };
  let out: Tensor | Tensor[] = layer.apply(x, options);
  for (let call = 1; call < (c.calls ?? 1); call++) out = layer.apply(x, options);
  return Array.isArray(out) ? out : [out];
}

describe(`Keras golden cases on the ${backend().name} backend`, () => {
  test('all 46 cases are present', () => {
    expect(cases).toHaveLength(46);
  });

  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const outputs = run(c);
    expect(outputs).toHaveLength(c.outputs.length);
    c.outputs.forEach((expected, k) => {
      expect(outputs[k].shape).toEqual(expected.shape);
      outputs[k].data.forEach((v, i) => {
        const e = expected.data[i];
        const bound = c.tolerance.atol + c.tolerance.rtol * Math.abs(e);
        if (!(Math.abs(v - e) <= bound)) {
          throw new Error(`${c.id}: output ${k}[${i}] = ${v}, Keras expects ${e} (tolerance ${bound})`);
        }
      });
    });
  });
});
