/**
 * Sizes of fast-check runs. The suite runs sizes that prove each property in seconds;
 * `npm run bench` (bench/properties.ts) runs the same tests with NF_PROPERTY_SCALE=10, the
 * load-sized runs (20,000 cases where the suite runs 2,000).
 */
const SCALE = Math.max(Number(process.env.NF_PROPERTY_SCALE ?? 1) || 1, 0.01);

/** `n` cases in the suite, `n * NF_PROPERTY_SCALE` under the bench. */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * SCALE));
}

/** A mocha timeout for a suite of property runs that takes `ms` at scale 1. */
export function propertyTimeout(ms: number): number {
  return Math.round(ms * Math.max(SCALE, 1));
}
