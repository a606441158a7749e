// What rnnTrainForward records for rnnBackward (docs/KERNELS.md, "Training"), one Float32Array cut
// into views. Steps are in processing order (s = 0 is the first step run, t = T-1 with goBackwards).
//   h    (T+1, B, H)  the hidden state before step 0 (initialH) and after every step
//   c    (T+1, B, H)  LSTM only: the cell state likewise
//   pre  (T, B, gH)   every gate's sum before its activation (GRU: the candidate's whole sum)
//   rec  (T, B, H)    GRU with resetAfter only: the candidate's recurrent part (h_prev @ U_h +
//                     b_rh) before the reset gate scales it
import type { CellName } from '../kernels';

export interface TapeDims {
  cell: CellName;
  resetAfter: boolean;
  batch: number;
  timesteps: number;
  units: number;
  gates: number;
}

export interface Tape {
  h: Float32Array;
  c: Float32Array | null;
  pre: Float32Array;
  rec: Float32Array | null;
}

function sizes(d: TapeDims): { h: number; c: number; pre: number; rec: number } {
  const states = (d.timesteps + 1) * d.batch * d.units;
  return {
    h: states,
    c: d.cell === 'lstm' ? states : 0,
    pre: d.timesteps * d.batch * d.gates * d.units,
    rec: d.cell === 'gru' && d.resetAfter ? d.timesteps * d.batch * d.units : 0,
  };
}

export function tapeLength(d: TapeDims): number {
  const s = sizes(d);
  return s.h + s.c + s.pre + s.rec;
}

/** Views of a tape's parts (the array must be tapeLength(d) long). */
export function tapeViews(tape: Float32Array, d: TapeDims): Tape {
  const s = sizes(d);
  let at = 0;
  const take = (n: number): Float32Array => {
    const view = tape.subarray(at, at + n);
    at += n;
    return view;
  };
  const h = take(s.h);
  const c = s.c > 0 ? take(s.c) : null;
  const pre = take(s.pre);
  const rec = s.rec > 0 ? take(s.rec) : null;
  return { h, c, pre, rec };
}
