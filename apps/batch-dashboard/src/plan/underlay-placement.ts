import { BadRequestError } from '../errors';

/**
 * Where a site drawing lies: an affine transform from image coordinates (x right, y down from
 * the top-left corner; pixels for a PNG, viewBox units for an SVG) to site coordinates:
 *   easting  = a*x + b*y + c
 *   northing = d*x + e*y + f
 * given directly, or computed from two control points (a point of the image and where it is on
 * site, twice). Two points fix a similarity: scale, rotation and translation, with the mirror
 * that turns the image's y-down into northing-up. Pure.
 */
export type AffineTransform = readonly [number, number, number, number, number, number];

export interface ControlPoint {
  /** [x, y] in the image. */
  readonly image: readonly [number, number];
  /** [easting, northing] on site. */
  readonly site: readonly [number, number];
}

export type Placement =
  | { readonly controlPoints: readonly [ControlPoint, ControlPoint] }
  | { readonly transform: AffineTransform };

/** Smaller than this (in image units or metres) two control points are taken as the same point. */
const MIN_SEPARATION = 1e-6;
/** A transform whose columns are this close to parallel is taken as singular. */
const MIN_SINE = 1e-9;

function refuse(...reasons: string[]): BadRequestError {
  return new BadRequestError('invalid_placement', reasons);
}

/** The transform two control points define, or a BadRequestError saying why there is none. */
export function transformFromControlPoints(points: readonly ControlPoint[]): AffineTransform {
  if (points.length !== 2) throw refuse(`give exactly two control points, got ${points.length}`);
  const [p, q] = points as [ControlPoint, ControlPoint];
  const numbers = [...p.image, ...p.site, ...q.image, ...q.site];
  if (!numbers.every(Number.isFinite)) throw refuse('control point coordinates must be finite');
  // Complex numbers: z = x - i*y (the mirror), w = easting + i*northing; w = alpha*z + beta.
  const dzRe = q.image[0] - p.image[0];
  const dzIm = -(q.image[1] - p.image[1]);
  const dwRe = q.site[0] - p.site[0];
  const dwIm = q.site[1] - p.site[1];
  const problems: string[] = [];
  if (Math.hypot(dzRe, dzIm) < MIN_SEPARATION) {
    problems.push('the two control points are the same point of the image');
  }
  if (Math.hypot(dwRe, dwIm) < MIN_SEPARATION) {
    problems.push('the two control points are the same point on site');
  }
  if (problems.length > 0) throw refuse(...problems);
  const norm = dzRe * dzRe + dzIm * dzIm;
  const alphaRe = (dwRe * dzRe + dwIm * dzIm) / norm;
  const alphaIm = (dwIm * dzRe - dwRe * dzIm) / norm;
  // w = alpha * (x - i*y) + beta  =>  easting = aRe*x + aIm*y + bRe, northing = aIm*x - aRe*y + bIm
  const c = p.site[0] - (alphaRe * p.image[0] + alphaIm * p.image[1]);
  const f = p.site[1] - (alphaIm * p.image[0] - alphaRe * p.image[1]);
  return checkedTransform([alphaRe, alphaIm, c, alphaIm, -alphaRe, f]);
}

/** The transform itself, if finite and invertible (non-degenerate); else a BadRequestError. */
export function checkedTransform(transform: readonly number[]): AffineTransform {
  if (transform.length !== 6) throw refuse(`a transform has six numbers, got ${transform.length}`);
  if (!transform.every(Number.isFinite))
    throw refuse('every number of the transform must be finite');
  const [a, b, , d, e] = transform as unknown as AffineTransform;
  const determinant = a * e - b * d;
  const scale = Math.hypot(a, d) * Math.hypot(b, e);
  if (scale === 0 || !Number.isFinite(determinant) || Math.abs(determinant) < MIN_SINE * scale) {
    throw refuse(
      'the transform is not invertible (it flattens the image onto a line or a point): a*e - b*d must not be 0',
    );
  }
  const inverse = invertTransform(transform as unknown as AffineTransform);
  if (!inverse.every(Number.isFinite))
    throw refuse('the transform is not invertible in finite numbers');
  return transform as unknown as AffineTransform;
}

export function placementTransform(placement: Placement): AffineTransform {
  return 'controlPoints' in placement
    ? transformFromControlPoints(placement.controlPoints)
    : checkedTransform(placement.transform);
}

export function applyTransform(
  [a, b, c, d, e, f]: AffineTransform,
  x: number,
  y: number,
): [number, number] {
  return [a * x + b * y + c, d * x + e * y + f];
}

export function invertTransform([a, b, c, d, e, f]: AffineTransform): AffineTransform {
  const det = a * e - b * d;
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}
