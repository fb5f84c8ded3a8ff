/**
 * The seed to hand tfjs's random ops for one of our seeds. tfjs treats a seed
 * of 0 as "no seed" and draws from Math.random (`seed ? seed : Math.random()`
 * in rand_util), so our default seed 0 would not be repeatable. Shifting by
 * one keeps every seed, 0 included, deterministic and distinct.
 */
export function tfjsSeed(seed: number): number {
  return seed + 1;
}
