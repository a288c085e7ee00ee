/**
 * Seeded randomness for the simulation. Two tools:
 * - `mulberry32(seed)`, a tiny sequential PRNG (Tommy Ettinger's, public domain), for building a
 *   site once, in a fixed order;
 * - `hashSeed(...)`, a keyed hash (murmur3's finaliser) that turns (seed, instrument, time) into a
 *   fresh PRNG seed, so a reading depends only on its inputs and never on how many requests came
 *   before it. That is what makes the site reproducible whatever the polling pattern.
 * Not cryptographic, and it need not be: uniformity and speed are what matter here.
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_POW_32 = 4_294_967_296;

/**
 * A 32-bit hash of a seed and up to three integers; each may be up to 2^53 (epoch milliseconds
 * included), and negative values are fine.
 */
export function hashSeed(seed: number, a: number, b = 0, c = 0): number {
  let h = fmix32((seed ^ 0x9e3779b9) >>> 0);
  for (const part of [a, b, c]) {
    const low = part >>> 0;
    const high = Math.floor(part / TWO_POW_32) >>> 0;
    h = fmix32((h ^ low) + 0x7f4a7c15);
    h = fmix32((h ^ high) + 0x165667b1);
  }
  return h;
}

/** A PRNG for one key: the same key always gives the same sequence. */
export function keyedRandom(seed: number, a: number, b = 0, c = 0): Random {
  return mulberry32(hashSeed(seed, a, b, c));
}

export function uniform(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}

/** An integer in [min, max], both included. */
export function integerBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A standard normal deviate (Box-Muller); the 1 - u keeps log() away from 0. */
export function gaussian(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function pick<T>(random: Random, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}
