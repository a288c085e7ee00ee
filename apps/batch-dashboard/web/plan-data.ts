import { getJson } from './api';
import {
  CURRENT_STATES,
  worstCurrentState,
  type CurrentState,
  type CurrentStateInputs,
} from '../src/plan/current-state';
import { INSTRUMENT_TYPES } from './format';
import type { InstrumentType, LiveWindow, TriggerLevel } from './types';

/**
 * The plan's instruments in the browser, as columns (typed arrays where the canvas reads them
 * every frame). Loaded page by page from /api/plan/instruments; patched by live windows with the
 * server's own state rule (src/plan/current-state.ts, bundled here), and reloaded now and then
 * for what only the server knows (silence, clock health).
 */
export interface PlanPage {
  generated_at: string;
  states: CurrentState[];
  units: Record<string, string>;
  count: number;
  nextCursor: string | null;
  columns: {
    type: InstrumentType[];
    id: string[];
    easting: number[];
    northing: number[];
    state: CurrentState[];
    trigger_level: TriggerLevel[];
    alarm_level: TriggerLevel[];
    no_data: boolean[];
    clock_status: CurrentStateInputs['clock_status'][];
    clock_offset_ms: Array<number | null>;
    value: number[];
    last_reading_at: number[];
    last_window_start: number[];
  };
}

export interface PlanData {
  count: number;
  readonly units: Record<string, string>;
  /** Index into INSTRUMENT_TYPES. */
  type: Uint8Array;
  id: string[];
  easting: Float64Array;
  northing: Float64Array;
  /** Index into CURRENT_STATES (higher is worse). */
  state: Uint8Array;
  level: TriggerLevel[];
  /** The highest level of its active alarms (the server's word until the next load). */
  alarmLevel: TriggerLevel[];
  noData: boolean[];
  clock: CurrentStateInputs['clock_status'][];
  clockOffsetMs: Array<number | null>;
  value: Float64Array;
  lastReadingAt: Float64Array;
  lastWindowStart: Float64Array;
  /** 'type:id' -> index. */
  readonly index: Map<string, number>;
}

export const PAGE_SIZE = 5_000;

export const instrumentKey = (type: string, id: string): string => `${type}:${id}`;

function emptyData(capacity: number, units: Record<string, string>): PlanData {
  return {
    count: 0,
    units,
    type: new Uint8Array(capacity),
    id: [],
    easting: new Float64Array(capacity),
    northing: new Float64Array(capacity),
    state: new Uint8Array(capacity),
    level: [],
    alarmLevel: [],
    noData: [],
    clock: [],
    clockOffsetMs: [],
    value: new Float64Array(capacity),
    lastReadingAt: new Float64Array(capacity),
    lastWindowStart: new Float64Array(capacity),
    index: new Map(),
  };
}

/** Room for one more instrument (typed arrays do not grow by themselves). */
function ensureCapacity(data: PlanData, needed: number): void {
  if (needed <= data.type.length) return;
  const capacity = Math.max(needed, data.type.length * 2, 1_024);
  const grow = <T extends Uint8Array | Float64Array>(array: T): T => {
    const bigger = new (array.constructor as { new (n: number): T })(capacity);
    bigger.set(array);
    return bigger;
  };
  data.type = grow(data.type);
  data.easting = grow(data.easting);
  data.northing = grow(data.northing);
  data.state = grow(data.state);
  data.value = grow(data.value);
  data.lastReadingAt = grow(data.lastReadingAt);
  data.lastWindowStart = grow(data.lastWindowStart);
}

function appendPage(data: PlanData, page: PlanPage): void {
  const c = page.columns;
  ensureCapacity(data, data.count + page.count);
  for (let k = 0; k < page.count; k++) {
    const i = data.count;
    data.type[i] = INSTRUMENT_TYPES.indexOf(c.type[k] as InstrumentType);
    data.id[i] = c.id[k] as string;
    data.easting[i] = c.easting[k] as number;
    data.northing[i] = c.northing[k] as number;
    data.state[i] = CURRENT_STATES.indexOf(c.state[k] as CurrentState);
    data.level[i] = c.trigger_level[k] as TriggerLevel;
    data.alarmLevel[i] = c.alarm_level[k] as TriggerLevel;
    data.noData[i] = c.no_data[k] as boolean;
    data.clock[i] = c.clock_status[k] as CurrentStateInputs['clock_status'];
    data.clockOffsetMs[i] = c.clock_offset_ms[k] ?? null;
    data.value[i] = c.value[k] as number;
    data.lastReadingAt[i] = c.last_reading_at[k] as number;
    data.lastWindowStart[i] = c.last_window_start[k] as number;
    data.index.set(instrumentKey(c.type[k] as string, c.id[k] as string), i);
    data.count += 1;
  }
}

/**
 * Every instrument, a page at a time; `onProgress` sees the data grow (the plan draws as pages
 * arrive). Resolves with the complete data.
 */
export async function loadPlanData(
  signal: AbortSignal,
  onProgress: (data: PlanData) => void,
): Promise<PlanData> {
  let after: string | null = null;
  let data: PlanData | undefined;
  do {
    const page: PlanPage = await getJson<PlanPage>(
      '/api/plan/instruments',
      { limit: PAGE_SIZE, after: after ?? undefined },
      signal,
    );
    data ??= emptyData(page.count, page.units);
    appendPage(data, page);
    onProgress(data);
    after = page.nextCursor;
  } while (after !== null);
  return data;
}

/**
 * A live window: the instrument's latest window if it is not older than the one we hold. It has
 * just reported (no longer silent); its clock health is the server's last word. Returns the
 * instrument's index when its state changed (to flash it), -1 when not, and undefined when the
 * window is for an instrument not on the plan yet (reload to place it).
 */
export function applyLiveWindow(data: PlanData, window: LiveWindow): number | undefined {
  const i = data.index.get(instrumentKey(window.instrument, window.borehole_number));
  if (i === undefined) return undefined;
  const start = Date.parse(window.window_start);
  if (start < (data.lastWindowStart[i] as number)) return -1;
  const before = data.state[i];
  data.level[i] = window.trigger_level;
  data.noData[i] = false;
  data.value[i] = window.reading_mean;
  data.lastReadingAt[i] = Date.parse(window.last_timestamp);
  data.lastWindowStart[i] = start;
  data.easting[i] = window.easting;
  data.northing[i] = window.northing;
  data.state[i] = CURRENT_STATES.indexOf(
    worstCurrentState({
      trigger_level: window.trigger_level,
      alarm_level: data.alarmLevel[i] as TriggerLevel,
      no_data: false,
      clock_status: data.clock[i] as CurrentStateInputs['clock_status'],
    }),
  );
  return data.state[i] === before ? -1 : i;
}

/** Indices (in `next`) of instruments whose state differs from `previous` (new ones excluded). */
export function changedStates(previous: PlanData, next: PlanData): number[] {
  const changed: number[] = [];
  for (let i = 0; i < next.count; i++) {
    const j = previous.index.get(
      instrumentKey(INSTRUMENT_TYPES[next.type[i] as number] as string, next.id[i] as string),
    );
    if (j !== undefined && previous.state[j] !== next.state[i]) changed.push(i);
  }
  return changed;
}
