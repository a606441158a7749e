// Seeded pseudo-random numbers for reproducible weight initialisation, shuffling and dropout.
import { ValueError, describeValue } from './errors';

/** mulberry32: a small, fast 32-bit PRNG; good enough for initialisers, fully reproducible. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

let globalRandom: SeededRandom | null = null;

/**
 * Makes everything random in rnnkit reproducible from here on, like keras.utils.set_random_seed:
 * the seeds of layers created without one, and fit's shuffling and dropout masks.
 */
export function setRandomSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
    throw new ValueError(`setRandomSeed: seed must be an integer in [0, 2^32), got ${describeValue(seed)}`);
  }
  globalRandom = new SeededRandom(seed);
}

/**
 * A seed for layers created without one (and for each fit): different every time, like Keras
 * without a seed, unless setRandomSeed() was called.
 */
export function randomSeed(): number {
  if (globalRandom !== null) return Math.floor(globalRandom.next() * 4294967296);
  return Math.floor(Math.random() * 4294967296);
}

/** Derives an independent seed for the i-th weight of a layer from the layer's seed. */
export function deriveSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
