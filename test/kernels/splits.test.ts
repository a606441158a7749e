// However a call is cut, its floats are the same (docs/KERNELS.md: "The batch may be split into
// contiguous chunks of samples that run independently"). The native addon cuts a call by samples
// (chunks), or by units with the threads meeting after every step (batch 1, and batches whose
// weights are large for the rows each thread would get), and computes a sample alone (batch 1) on
// another path than in a batch; each row here is shaped to take one of those cuts at 2 threads and
// must match 1 thread bit for bit, and every sample must match itself computed alone. Both backends
// run every check (setThreads is a no-op on the TypeScript one).
import type { CellName, RnnForwardArgs, RnnForwardResult } from '../../src/backend/kernels';
import { KERNEL_BACKENDS } from '../helpers/backends';
import { expectSameResult, randomRnnArgs } from '../helpers/kernel-args';

interface Variant {
  cell: CellName;
  resetAfter: boolean;
}
const VARIANTS: Variant[] = [
  { cell: 'simple_rnn', resetAfter: true },
  { cell: 'lstm', resetAfter: true },
  { cell: 'gru', resetAfter: true },
  { cell: 'gru', resetAfter: false },
];

/** Shapes per cut (native, 2 threads). Units are not multiples of 16 (partial vectors), and the
 * weights of the last two are large enough for a cut by units. */
const SHAPES = [
  { name: 'batch 1, small weights (one thread)', batch: 1, inputDim: 7, units: 21 },
  { name: 'batch 1, units split per step', batch: 1, inputDim: 9, units: 170 },
  { name: 'batch 9, samples split into chunks', batch: 9, inputDim: 5, units: 37 },
  { name: 'batch 5, units split per step', batch: 5, inputDim: 40, units: 260 },
];

function args(v: Variant, shape: (typeof SHAPES)[number], seed: string): RnnForwardArgs {
  return randomRnnArgs(seed, {
    cell: v.cell,
    resetAfter: v.resetAfter,
    batch: shape.batch,
    timesteps: 6,
    inputDim: shape.inputDim,
    units: shape.units,
    goBackwards: seed.endsWith('b'),
    zeroOutputForMask: seed.endsWith('b'),
  });
}

/** Sample b of a batched call as a batch-1 call of its own. */
function sample(a: RnnForwardArgs, b: number): RnnForwardArgs {
  const { timesteps: T, inputDim: D, units: H } = a;
  return {
    ...a,
    batch: 1,
    x: a.x.slice(b * T * D, (b + 1) * T * D),
    initialH: a.initialH && a.initialH.slice(b * H, (b + 1) * H),
    initialC: a.initialC && a.initialC.slice(b * H, (b + 1) * H),
    mask: a.mask && a.mask.slice(b * T, (b + 1) * T),
  };
}

/** Sample b's rows of a batched result. */
function rowsOf(r: RnnForwardResult, a: RnnForwardArgs, b: number): RnnForwardResult {
  const H = a.units;
  const out = a.returnSequences ? a.timesteps * H : H;
  return {
    output: r.output.slice(b * out, (b + 1) * out),
    h: r.h.slice(b * H, (b + 1) * H),
    c: r.c && r.c.slice(b * H, (b + 1) * H),
  };
}

const ROWS = VARIANTS.flatMap((v) =>
  SHAPES.flatMap((shape) =>
    ['a', 'b'].map((opt) => ({
      name: `${v.cell}${v.cell === 'gru' ? ` resetAfter ${v.resetAfter}` : ''}, ${shape.name}, options ${opt}`,
      variant: v,
      shape,
      seed: `splits/${v.cell}/${v.resetAfter}/${shape.name}/${opt}`,
    })),
  ),
);

describe.each(KERNEL_BACKENDS)('%s backend', (_name, kernels) => {
  const initial = kernels().getThreads();
  afterAll(() => kernels().setThreads(initial));

  test.each(ROWS)('$name: threads 1, 2 and 3 give the same bits', ({ variant, shape, seed }) => {
    const a = args(variant, shape, seed);
    kernels().setThreads(1);
    const one = kernels().rnnForward(a);
    for (const threads of [2, 3]) {
      kernels().setThreads(threads);
      expectSameResult(kernels().rnnForward(a), one);
    }
  });

  test.each(ROWS.filter((r) => r.shape.batch > 1))('$name: every sample alone gives its rows of the batch', ({ variant, shape, seed }) => {
    const a = args(variant, shape, seed);
    kernels().setThreads(2);
    const batched = kernels().rnnForward(a);
    for (let b = 0; b < a.batch; b++) expectSameResult(kernels().rnnForward(sample(a, b)), rowsOf(batched, a, b));
  });
});
