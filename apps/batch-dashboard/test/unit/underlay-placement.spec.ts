import fc from 'fast-check';
import { BadRequestError } from '../../src/errors';
import {
  applyTransform,
  checkedTransform,
  invertTransform,
  transformFromControlPoints,
} from '../../src/plan/underlay-placement';

const reasonsOf = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as BadRequestError).reasons.join('; ');
  }
  throw new Error('expected a refusal');
};

describe('placement by two control points', () => {
  it('maps a y-down image onto north-up site coordinates: scale 2, no rotation', () => {
    // A 200 x 100 drawing whose bottom-left corner is at (1000, 5000) on site, 2 m per unit.
    const t = transformFromControlPoints([
      { image: [0, 100], site: [1000, 5000] },
      { image: [200, 0], site: [1400, 5200] },
    ]);
    expect(applyTransform(t, 0, 0)).toEqual([1000, 5200]);
    expect(applyTransform(t, 150, 50)).toEqual([1300, 5100]);
    expect(t.map((v) => (Math.abs(v) < 1e-12 ? 0 : v))).toEqual([2, 0, 1000, 0, -2, 5200]);
  });

  it('puts both control points exactly where they were given, whatever the rotation and scale', () => {
    const coordinate = fc.double({ min: -1e4, max: 1e4, noNaN: true });
    fc.assert(
      fc.property(
        fc.tuple(coordinate, coordinate, coordinate, coordinate),
        fc.tuple(coordinate, coordinate, coordinate, coordinate),
        ([x1, y1, e1, n1], [x2, y2, e2, n2]) => {
          const imageSpan = Math.hypot(x2 - x1, y2 - y1);
          const siteSpan = Math.hypot(e2 - e1, n2 - n1);
          // Drawings: from 1 mm to 1 km per image unit.
          fc.pre(imageSpan > 1e-3 && siteSpan > 1e-3);
          fc.pre(siteSpan / imageSpan > 1e-3 && siteSpan / imageSpan < 1e3);
          const t = transformFromControlPoints([
            { image: [x1, y1], site: [e1 + 3e5, n1 + 5.8e6] },
            { image: [x2, y2], site: [e2 + 3e5, n2 + 5.8e6] },
          ]);
          for (const [x, y, e, n] of [
            [x1, y1, e1, n1],
            [x2, y2, e2, n2],
          ] as const) {
            const [pe, pn] = applyTransform(t, x, y);
            expect(Math.abs(pe - (e + 3e5))).toBeLessThan(1e-5);
            expect(Math.abs(pn - (n + 5.8e6))).toBeLessThan(1e-5);
          }
          // A similarity with the y mirror: orthogonal columns of equal length, negative determinant.
          const [a, b, , d, e] = t;
          expect(a * e - b * d).toBeLessThan(0);
          const [ie, in_] = applyTransform(invertTransform(t), ...applyTransform(t, x1, y1));
          expect(Math.abs(ie - x1)).toBeLessThan(1e-4);
          expect(Math.abs(in_ - y1)).toBeLessThan(1e-4);
        },
      ),
    );
  });

  it('refuses points that coincide, in the image or on site, saying which', () => {
    expect(
      reasonsOf(() =>
        transformFromControlPoints([
          { image: [10, 10], site: [0, 0] },
          { image: [10, 10], site: [5, 5] },
        ]),
      ),
    ).toMatch(/same point of the image/);
    expect(
      reasonsOf(() =>
        transformFromControlPoints([
          { image: [0, 0], site: [7, 7] },
          { image: [10, 10], site: [7, 7] },
        ]),
      ),
    ).toMatch(/same point on site/);
    expect(reasonsOf(() => transformFromControlPoints([{ image: [0, 0], site: [0, 0] }]))).toMatch(
      /exactly two/,
    );
  });
});

describe('an affine transform given directly', () => {
  it('is accepted when finite and invertible', () => {
    expect(checkedTransform([0.5, 0.1, 320000, 0.1, -0.5, 5812000])).toEqual([
      0.5, 0.1, 320000, 0.1, -0.5, 5812000,
    ]);
  });

  it.each([
    [[1, 2, 0, 2, 4, 0], /not invertible/],
    [[0, 0, 5, 0, 0, 5], /not invertible/],
    [[1, 0, Infinity, 0, 1, 0], /finite/],
    [[1, 0, NaN, 0, 1, 0], /finite/],
    [[1, 0, 0, 0, 1], /six numbers/],
  ])('refuses %j', (transform, reason) => {
    expect(reasonsOf(() => checkedTransform(transform))).toMatch(reason);
  });
});
