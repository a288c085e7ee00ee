import {
  CURRENT_STATES,
  currentStateRank,
  worstCurrentState,
  type CurrentStateInputs,
} from '../../src/plan/current-state';
import { toPlanColumns } from '../../src/plan/plan-columns';
import { buildSpatialGrid, insidePolygon } from '../../web/spatial-grid';
import fc from 'fast-check';

describe('worst current state', () => {
  const levels = ['none', 'alert', 'alarm', 'action'] as const;
  const clocks = ['ok', 'ahead', 'behind'] as const;

  const none = { alarm_level: 'none' } as const;
  it.each([
    [{ ...none, trigger_level: 'none', no_data: false, clock_status: 'ok' }, 'normal'],
    [{ ...none, trigger_level: 'none', no_data: false, clock_status: 'ahead' }, 'clock_skew'],
    [{ ...none, trigger_level: 'none', no_data: false, clock_status: 'behind' }, 'clock_skew'],
    [{ ...none, trigger_level: 'none', no_data: true, clock_status: 'behind' }, 'no_data'],
    [{ ...none, trigger_level: 'alert', no_data: true, clock_status: 'ahead' }, 'alert'],
    [{ ...none, trigger_level: 'alarm', no_data: false, clock_status: 'ok' }, 'alarm'],
    [{ ...none, trigger_level: 'action', no_data: true, clock_status: 'behind' }, 'action'],
    // A rate alarm at action while the latest window is below every level; a level alarm still
    // active (debounced) while one window dipped: the alarm's level shows.
    [
      { trigger_level: 'none', alarm_level: 'action', no_data: false, clock_status: 'ok' },
      'action',
    ],
    [{ trigger_level: 'alert', alarm_level: 'alarm', no_data: true, clock_status: 'ok' }, 'alarm'],
    [
      { trigger_level: 'action', alarm_level: 'alert', no_data: false, clock_status: 'ok' },
      'action',
    ],
  ] as Array<[CurrentStateInputs, string]>)('%j is %s', (inputs, state) => {
    expect(worstCurrentState(inputs)).toBe(state);
  });

  it('is the most severe of what each input alone would give (severity order: CURRENT_STATES)', () => {
    expect(CURRENT_STATES).toEqual(['normal', 'clock_skew', 'no_data', 'alert', 'alarm', 'action']);
    const quiet = {
      trigger_level: 'none',
      alarm_level: 'none',
      no_data: false,
      clock_status: 'ok',
    } as const;
    for (const trigger_level of levels) {
      for (const alarm_level of levels) {
        for (const no_data of [false, true]) {
          for (const clock_status of clocks) {
            const alone = [
              worstCurrentState({ ...quiet, trigger_level }),
              worstCurrentState({ ...quiet, alarm_level }),
              worstCurrentState({ ...quiet, no_data }),
              worstCurrentState({ ...quiet, clock_status }),
            ];
            const worst = alone.reduce((a, b) =>
              currentStateRank(a) >= currentStateRank(b) ? a : b,
            );
            expect(worstCurrentState({ trigger_level, alarm_level, no_data, clock_status })).toBe(
              worst,
            );
          }
        }
      }
    }
  });
});

describe('plan columns', () => {
  it('turns instruments into one array per field, in order', () => {
    const columns = toPlanColumns([
      {
        type: 'piezometer',
        id: 'PZ-1',
        easting: 1,
        northing: 2,
        state: 'alarm',
        trigger_level: 'alarm',
        alarm_level: 'none',
        no_data: false,
        clock_status: 'ok',
        clock_offset_ms: null,
        value: 3,
        last_reading_at: 4,
        last_window_start: 5,
      },
      {
        type: 'strain_gauge',
        id: 'SG-1',
        easting: 6,
        northing: 7,
        state: 'no_data',
        trigger_level: 'none',
        alarm_level: 'alarm',
        no_data: true,
        clock_status: 'behind',
        clock_offset_ms: -60,
        value: 8,
        last_reading_at: 9,
        last_window_start: 10,
      },
    ]);
    expect(columns.id).toEqual(['PZ-1', 'SG-1']);
    expect(columns.easting).toEqual([1, 6]);
    expect(columns.clock_offset_ms).toEqual([null, -60]);
    expect(columns.state).toEqual(['alarm', 'no_data']);
    expect(columns.alarm_level).toEqual(['none', 'alarm']);
  });
});

describe("the plan's spatial grid (against a scan of every point)", () => {
  it('finds every point in a box among its candidates', () => {
    const point = fc.tuple(
      fc.double({ min: 0, max: 1000, noNaN: true }),
      fc.double({ min: 0, max: 500, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(point, { maxLength: 300 }), point, point, (points, p, q) => {
        const xs = Float64Array.from(points.map(([x]) => x));
        const ys = Float64Array.from(points.map(([, y]) => y));
        const grid = buildSpatialGrid(xs, ys, points.length, 4);
        const [minX, maxX] = [Math.min(p[0], q[0]), Math.max(p[0], q[0])];
        const [minY, maxY] = [Math.min(p[1], q[1]), Math.max(p[1], q[1])];
        const candidates = new Set(grid.candidates(minX, minY, maxX, maxY));
        points.forEach(([x, y], i) => {
          if (x >= minX && x <= maxX && y >= minY && y <= maxY)
            expect(candidates.has(i)).toBe(true);
        });
      }),
    );
  });

  it('tells inside from outside a polygon', () => {
    const square: Array<[number, number]> = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ];
    expect(insidePolygon(5, 5, square)).toBe(true);
    expect(insidePolygon(15, 5, square)).toBe(false);
    const notch: Array<[number, number]> = [...square.slice(0, 3), [5, 2], [0, 10]];
    expect(insidePolygon(5, 8, notch)).toBe(false);
  });
});
