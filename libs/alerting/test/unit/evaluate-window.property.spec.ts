import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import {
  AlertSchema,
  TRIGGER_DIRECTIONS,
  classifyDirection,
  triggerLevelRank,
  windowId,
  type Alert,
  type TriggerLevel,
  type TriggerDirection,
  type TriggerLevels,
  type TriggerThresholds,
} from '@geostream/instrument-schemas';
import {
  evaluateWindow,
  type AlertingOptions,
  type InstrumentAlertState,
  type WindowToEvaluate,
} from '../../src';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const alertSchema = ajv.compile(AlertSchema);

function windowAt(index: number, mean: number): WindowToEvaluate {
  const start = Date.UTC(2024, 0, 1) + index * 10_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    schema_version: 1,
    id: windowId('strain_gauge', 'SG-1', start),
    instrument: 'strain_gauge',
    borehole_number: 'SG-1',
    window_start: iso(start),
    window_end: iso(start + 10_000),
    reading_mean: mean,
    reading_min: mean,
    reading_max: mean,
    reading_count: 1,
    first_timestamp: iso(start),
    last_timestamp: iso(start),
    unit: 'µε',
    surface_level: 0,
    northing: 0,
    easting: 0,
  };
}

const bands: Record<TriggerDirection, TriggerThresholds> = {
  rising: { alert: 10, alarm: 20, action: 30 },
  falling: { alert: -10, alarm: -20, action: -30 },
};
const levels: TriggerLevels = bands;
// Means that dwell near thresholds as real series do, not uniform noise.
const means = fc.array(
  fc.oneof(
    fc.integer({ min: -40, max: 40 }),
    fc.constantFrom(-30, -20, -10, 10, 20, 30),
    fc.double({ min: -40, max: 40, noNaN: true }),
  ),
  { maxLength: 40 },
);

interface Step {
  readonly levels: Record<'rising' | 'falling', TriggerLevel>;
  readonly alerts: Alert[];
}

function run(values: number[], options: AlertingOptions = {}, lv = levels): Step[] {
  let state: InstrumentAlertState | undefined;
  return values.map((mean, i) => {
    const result = evaluateWindow(state, windowAt(i, mean), lv, options);
    state = result.state;
    return {
      levels: { rising: state.rising.level, falling: state.falling.level },
      alerts: result.alerts,
    };
  });
}

describe('evaluateWindow properties', () => {
  it('without options, each direction is at exactly the level its window mean reaches (naive oracle)', () => {
    fc.assert(
      fc.property(means, (values) => {
        run(values).forEach((step, i) => {
          for (const d of TRIGGER_DIRECTIONS) {
            expect(step.levels[d]).toBe(classifyDirection(values[i] as number, d, bands[d]));
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('emits exactly one alert per level change, chained from->to, raise up and clear down', () => {
    fc.assert(
      fc.property(
        means,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(0, 2.5),
        (values, raiseAfterWindows, clearAfterWindows, clearMargin) => {
          const steps = run(values, { raiseAfterWindows, clearAfterWindows, clearMargin });
          const previous = { rising: 'none', falling: 'none' } as Record<
            'rising' | 'falling',
            TriggerLevel
          >;
          for (const step of steps) {
            for (const d of TRIGGER_DIRECTIONS) {
              const mine = step.alerts.filter((a) => a.direction === d);
              if (step.levels[d] === previous[d]) {
                expect(mine).toEqual([]);
              } else {
                expect(mine).toHaveLength(1);
                const [alert] = mine;
                expect([alert?.from_level, alert?.to_level]).toEqual([previous[d], step.levels[d]]);
                const up = triggerLevelRank(step.levels[d]) > triggerLevelRank(previous[d]);
                expect(alert?.kind).toBe(up ? 'raise' : 'clear');
              }
              previous[d] = step.levels[d];
            }
            for (const alert of step.alerts) expect(alertSchema(alert)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with debounce, raises only after that many windows in a row reached the raised level', () => {
    fc.assert(
      fc.property(means, fc.integer({ min: 2, max: 4 }), (values, n) => {
        run(values, { raiseAfterWindows: n }).forEach((step, i) => {
          for (const alert of step.alerts.filter((a) => a.kind === 'raise')) {
            const recent = values.slice(i - n + 1, i + 1);
            expect(recent).toHaveLength(n);
            for (const v of recent) {
              const reached = classifyDirection(v, alert.direction, bands[alert.direction]);
              expect(triggerLevelRank(reached)).toBeGreaterThanOrEqual(
                triggerLevelRank(alert.to_level),
              );
            }
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('with hysteresis, holds levels at least as high as without, and never above value+margin', () => {
    fc.assert(
      fc.property(means, fc.double({ min: 0, max: 5, noNaN: true }), (values, margin) => {
        const plain = run(values);
        run(values, { clearMargin: margin }).forEach((step, i) => {
          const v = values[i] as number;
          const rising = step.levels.rising;
          expect(triggerLevelRank(rising)).toBeGreaterThanOrEqual(
            triggerLevelRank(plain[i]?.levels.rising ?? 'none'),
          );
          expect(triggerLevelRank(rising)).toBeLessThanOrEqual(
            triggerLevelRank(classifyDirection(v + margin, 'rising', bands.rising)),
          );
        });
      }),
      { numRuns: 300 },
    );
  });

  it('replays exactly: same windows give the same alerts, also across a JSON checkpoint', () => {
    fc.assert(
      fc.property(means, fc.nat(), (values, cut) => {
        const options = { raiseAfterWindows: 2, clearMargin: 1 };
        const whole = run(values, options).flatMap((s) => s.alerts);
        // Stop at `cut`, checkpoint the state as JSON, restore it and go on.
        const at = values.length === 0 ? 0 : cut % values.length;
        let state: InstrumentAlertState | undefined;
        const resumed: Alert[] = [];
        values.forEach((mean, i) => {
          if (i === at && state) state = JSON.parse(JSON.stringify(state)) as InstrumentAlertState;
          const result = evaluateWindow(state, windowAt(i, mean), levels, options);
          state = result.state;
          resumed.push(...result.alerts);
        });
        expect(resumed).toEqual(whole);
        expect(new Set(whole.map((a) => a.id)).size).toBe(whole.length);
      }),
      { numRuns: 200 },
    );
  });

  it('ignores duplicated windows, so at-least-once delivery emits each alert once', () => {
    fc.assert(
      fc.property(means, (values) => {
        let state: InstrumentAlertState | undefined;
        const alerts: Alert[] = [];
        values.forEach((mean, i) => {
          for (let copy = 0; copy < 2; copy++) {
            const result = evaluateWindow(state, windowAt(i, mean), levels);
            state = result.state;
            alerts.push(...result.alerts);
          }
        });
        expect(alerts).toEqual(run(values).flatMap((s) => s.alerts));
      }),
      { numRuns: 200 },
    );
  });
});
