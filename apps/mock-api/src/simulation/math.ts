/**
 * The standard normal cumulative distribution, via Abramowitz & Stegun 7.1.26 for erf (absolute
 * error below 1.5e-7, far finer than any instrument resolves). It shapes how settlement builds
 * up as a tunnel face passes (Attewell & Woodman's cumulative-probability longitudinal profile).
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** Rounds to hundredths, the resolution the reference API reports. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const YEAR_MS = 365.25 * DAY_MS;
