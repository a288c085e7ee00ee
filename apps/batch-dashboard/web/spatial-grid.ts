/**
 * A uniform grid over site coordinates for the plan's hit tests: the instrument under the
 * cursor, the instruments inside a lasso. Built once per data load (O(n)); a query looks only
 * at the cells its box overlaps. Pure: coordinates in, indices out.
 */
export interface SpatialGrid {
  /** Indices of the points in cells overlapping the box (candidates: callers test exactly). */
  candidates(minX: number, minY: number, maxX: number, maxY: number): number[];
}

export function buildSpatialGrid(
  xs: Float64Array,
  ys: Float64Array,
  count: number,
  targetPerCell = 16,
): SpatialGrid {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (count === 0) return { candidates: () => [] };
  const side = Math.max(1, Math.ceil(Math.sqrt(count / targetPerCell)));
  const cellW = Math.max((maxX - minX) / side, 1e-9);
  const cellH = Math.max((maxY - minY) / side, 1e-9);
  const column = (x: number) => Math.min(side - 1, Math.max(0, Math.floor((x - minX) / cellW)));
  const row = (y: number) => Math.min(side - 1, Math.max(0, Math.floor((y - minY) / cellH)));
  // Counting sort into one flat array: cellStart[c]..cellStart[c+1] are cell c's points.
  const cellOf = new Int32Array(count);
  const cellStart = new Int32Array(side * side + 1);
  for (let i = 0; i < count; i++) {
    const cell = row(ys[i] as number) * side + column(xs[i] as number);
    cellOf[i] = cell;
    cellStart[cell + 1] = (cellStart[cell + 1] as number) + 1;
  }
  for (let c = 0; c < side * side; c++) {
    cellStart[c + 1] = (cellStart[c + 1] as number) + (cellStart[c] as number);
  }
  const fill = cellStart.slice(0, side * side);
  const points = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const cell = cellOf[i] as number;
    points[fill[cell] as number] = i;
    fill[cell] = (fill[cell] as number) + 1;
  }
  return {
    candidates(qMinX, qMinY, qMaxX, qMaxY) {
      if (qMaxX < minX || qMinX > maxX || qMaxY < minY || qMinY > maxY) return [];
      const found: number[] = [];
      const c0 = column(qMinX);
      const c1 = column(qMaxX);
      for (let r = row(qMinY), r1 = row(qMaxY); r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const cell = r * side + c;
          for (let k = cellStart[cell] as number; k < (cellStart[cell + 1] as number); k++) {
            found.push(points[k] as number);
          }
        }
      }
      return found;
    },
  };
}

/** Ray casting: is (x, y) inside the polygon (a closed ring of [x, y] vertices)? */
export function insidePolygon(
  x: number,
  y: number,
  polygon: ReadonlyArray<[number, number]>,
): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] as [number, number];
    const [xj, yj] = polygon[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
