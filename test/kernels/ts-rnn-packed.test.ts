// The TypeScript backend's recurrent loop (src/backend/ts/rnn-forward.ts) where its GEMM changes
// path, against the float64 reference: units and inputDim past the GEMM's 256-deep k block (the
// per-step product accumulates block after block into the projection rows it reads back), batch 1
// (the vector-matrix loop over the packed recurrent kernel) and batches that leave a partial 4-row
// tile, with a mask so that masked samples' rows are updated and never read. The parity table
// (test/backend-parity.test.ts) covers the options on small sizes.
import type { CellName, RnnForwardArgs } from '../../src/backend/kernels';
import { runRnnForward } from '../../src/backend/ts/rnn-forward';
import { biasLength, gateCount, rnnArgs } from '../helpers/kernel-args';
import { Rng } from '../helpers/random';
import { rnnReference } from '../reference/rnn-reference';

const { abs, max, sqrt } = Math;
const TOLERANCE = 1e-5;

function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(abs(got[i] - want[i]) <= TOLERANCE * max(1, abs(want[i])))) {
      throw new Error(`${what}[${i}]: got ${got[i]}, expected ${want[i]}`);
    }
  }
}

type Variant = [name: string, cell: CellName, resetAfter: boolean];
const VARIANTS: Variant[] = [
  ['simple_rnn', 'simple_rnn', true],
  ['lstm', 'lstm', true],
  ['gru resetAfter', 'gru', true],
  ['gru resetBefore', 'gru', false],
];

/** Weights scaled by 1/sqrt(fan_in), so that the recurrence neither saturates nor explodes. */
function makeArgs(cell: CellName, resetAfter: boolean, batch: number, overrides: Partial<RnnForwardArgs>): RnnForwardArgs {
  const [timesteps, inputDim, units] = [3, 260, 258];
  const g = gateCount(cell);
  const rng = new Rng(`${cell} ${resetAfter} ${batch} ${JSON.stringify(Object.keys(overrides))}`);
  return rnnArgs({
    cell,
    resetAfter,
    batch,
    timesteps,
    inputDim,
    units,
    x: rng.float32Array(batch * timesteps * inputDim, 1),
    kernel: rng.float32Array(inputDim * g * units, 1 / sqrt(inputDim)),
    recurrentKernel: rng.float32Array(units * g * units, 1 / sqrt(units)),
    bias: rng.float32Array(biasLength(cell, resetAfter, units), 0.5),
    initialH: rng.float32Array(batch * units, 0.5),
    initialC: cell === 'lstm' ? rng.float32Array(batch * units, 0.5) : null,
    ...overrides,
  });
}

describe('TypeScript recurrent loop past the GEMM block sizes', () => {
  const cases: [string, CellName, boolean, number, Partial<RnnForwardArgs>][] = VARIANTS.flatMap(
    ([name, cell, resetAfter]): [string, CellName, boolean, number, Partial<RnnForwardArgs>][] => [
      [`${name}, batch 1`, cell, resetAfter, 1, {}],
      [`${name}, batch 6, masked, sequences, backwards`, cell, resetAfter, 6, {
        mask: Uint8Array.from({ length: 6 * 3 }, (_, i) => (i % 4 === 1 ? 0 : 1)),
        returnSequences: true,
        goBackwards: true,
      }],
    ],
  );

  test.each(cases)('%s', (_name, cell, resetAfter, batch, overrides) => {
    const args = makeArgs(cell, resetAfter, batch, overrides);
    const got = runRnnForward(args);
    const want = rnnReference(args);
    expectClose('output', got.output, want.output);
    expectClose('h', got.h, want.h);
    if (cell === 'lstm') expectClose('c', got.c!, want.c!);
    else expect(got.c).toBeNull();
  });

  test('the returned output, h and c are distinct arrays, and the inputs are not written', () => {
    const args = makeArgs('lstm', true, 2, {});
    const copies = [args.x, args.kernel!, args.recurrentKernel!, args.bias!, args.initialH!, args.initialC!].map((a) => a.slice());
    const got = runRnnForward(args);
    expect(got.output).not.toBe(got.h);
    expect(got.output).not.toBe(got.c);
    const changed = [args.x, args.kernel!, args.recurrentKernel!, args.bias!, args.initialH!, args.initialC!].map((a, i) =>
      a.findIndex((v, j) => !Object.is(v, copies[i][j])),
    );
    expect(changed).toEqual([-1, -1, -1, -1, -1, -1]);
  });
});
