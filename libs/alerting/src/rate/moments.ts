/**
 * Weighted first and second moments of points (t, y): everything a least-squares line needs,
 * in the centred form (means and sums of centred products) that merges exactly and without
 * the cancellation raw sums of t² suffer with epoch-millisecond times (Chan, Golub and LeVeque's
 * pairwise update).
 */
export interface Moments {
  /** Sum of weights. */
  readonly w: number;
  /** Weighted mean of t. */
  readonly t: number;
  /** Weighted mean of y. */
  readonly y: number;
  /** Sum of w (t - mean t)². */
  readonly stt: number;
  /** Sum of w (t - mean t)(y - mean y). */
  readonly sty: number;
}

export const NO_MOMENTS: Moments = { w: 0, t: 0, y: 0, stt: 0, sty: 0 };

/** The moments of the union of two point sets. */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (b.w === 0) return a;
  if (a.w === 0) return b;
  const w = a.w + b.w;
  const dt = b.t - a.t;
  const dy = b.y - a.y;
  const share = b.w / w;
  const cross = a.w * share; // a.w * b.w / w
  return {
    w,
    t: a.t + dt * share,
    y: a.y + dy * share,
    stt: a.stt + b.stt + dt * dt * cross,
    sty: a.sty + b.sty + dt * dy * cross,
  };
}

/** The moments of one point of weight `w`. */
export function pointMoments(t: number, y: number, w: number): Moments {
  return { w, t, y, stt: 0, sty: 0 };
}

/** The same moments with t measured from an origin `shift` earlier (t + shift). */
export function shiftMoments(m: Moments, shift: number): Moments {
  return { ...m, t: m.t + shift };
}

/** The least-squares slope dy/dt, or undefined when all t are equal. */
export function slopeOf(m: Moments): number | undefined {
  return m.stt > 0 ? m.sty / m.stt : undefined;
}

/**
 * How widely the points spread in t, as the length of an interval uniformly covered with the
 * same variance (sqrt(12 var t)): a day of evenly spaced windows spans a day; two clusters at the
 * ends of a day span ~1.7 days; an hour of data spans an hour however many windows it has.
 */
export function spanOf(m: Moments): number {
  return m.w > 0 ? Math.sqrt((12 * m.stt) / m.w) : 0;
}
