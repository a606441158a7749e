// Small seeded random helpers for tests: every row of a table gets its own fixed seed, so a failing
// row reproduces exactly, whatever other rows run or in which order.

// Globals are read once: under Jest the code runs in a vm context, where every global lookup in a
// hot loop (Math, ...) goes through the context's interceptor and is some 30 times slower.
const { imul, floor } = Math;

/** mulberry32: a tiny 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string: turns a row name into a seed. */
export function seedFromString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private readonly next: () => number;

  constructor(seed: number | string) {
    this.next = mulberry32(typeof seed === 'string' ? seedFromString(seed) : seed);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + floor(this.next() * (hi - lo + 1));
  }

  bool(pTrue = 0.5): boolean {
    return this.next() < pTrue;
  }

  pick<T>(items: readonly T[]): T {
    return items[floor(this.next() * items.length)];
  }

  /** n values uniform in [-scale, scale). */
  float32Array(n: number, scale = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (this.next() * 2 - 1) * scale;
    return out;
  }

  /**
   * A batch * timesteps mask (1 keep, 0 masked), each step kept with probability pKeep, then with the
   * edge cases that matter forced in, given enough samples:
   * sample 0 fully masked; sample 1 with its first processed step masked (input step 0, or
   * timesteps-1 when goBackwards); sample 2 with its last processed step masked.
   */
  mask(batch: number, timesteps: number, goBackwards: boolean, pKeep = 0.7): Uint8Array {
    const m = new Uint8Array(batch * timesteps);
    for (let i = 0; i < m.length; i++) m[i] = this.next() < pKeep ? 1 : 0;
    const firstProcessed = goBackwards ? timesteps - 1 : 0;
    const lastProcessed = goBackwards ? 0 : timesteps - 1;
    if (batch >= 2) {
      for (let t = 0; t < timesteps; t++) m[t] = 0;
    }
    const b1 = batch >= 2 ? 1 : 0;
    m[b1 * timesteps + firstProcessed] = 0;
    if (timesteps >= 2) m[b1 * timesteps + lastProcessed] = 1;
    if (batch >= 3) {
      const b2 = 2;
      m[b2 * timesteps + lastProcessed] = 0;
      if (timesteps >= 2) m[b2 * timesteps + firstProcessed] = 1;
    }
    return m;
  }
}
