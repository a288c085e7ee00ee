import {
  INSTRUMENT_SPECS,
  INSTRUMENT_TYPES,
  type InstrumentType,
} from '@geostream/instrument-schemas';
import {
  corruptItem,
  garbageBody,
  planItemFault,
  planRequestFault,
  type FaultRates,
  type GarbageBody,
  type GarbageKind,
  type WireItem,
} from './faults';
import {
  formatCursor,
  headPosition,
  readLog,
  type HistorySettings,
  type LogPosition,
} from './history';
import {
  MAX_LOGGER_LAG_MS,
  readingsAt,
  sampleAt,
  type ReadingBehaviour,
  type SimulatedReading,
} from './readings';
import { keyedRandom, type Random } from './random';
import { buildSite, type Site, type SiteOptions } from './site';

/**
 * The whole simulated API behind one function: what a request for a type (or for all of them)
 * at a given time returns, faults included. Deterministic in (seed, request number, time):
 * readings depend on the time only, fault plans on the request number and the time.
 */
export interface SimulationSettings extends SiteOptions, ReadingBehaviour, HistorySettings {}

/** A request for the log after a cursor, at most `limit` items. */
export interface LogRequest {
  readonly from: LogPosition;
  readonly limit: number;
}

/** Where a client is in the log after this response (see history.ts). */
export interface CursorInfo {
  readonly next: string;
  readonly more: boolean;
  readonly gapMs: number;
}

/** The reference API's batch envelope. `instruments` counts the instruments reporting in it. */
export interface Envelope {
  readonly instruments: number;
  readonly units: string;
  readonly timezone: 'UTC';
  readonly items: WireItem[];
}

/** GET /params/all: one envelope per type, keyed by type. */
export interface AllEnvelopes {
  readonly instruments: number;
  readonly timezone: 'UTC';
  readonly envelopes: { readonly [T in InstrumentType]: Envelope };
}

export type SimulatedResponse =
  | {
      readonly kind: 'ok';
      readonly body: Envelope | AllEnvelopes;
      readonly cursor: CursorInfo;
      readonly delayMs: number;
    }
  | { readonly kind: 'http_500'; readonly delayMs: number }
  | {
      readonly kind: 'garbage';
      readonly garbage: GarbageKind;
      readonly payload: GarbageBody;
      readonly delayMs: number;
    };

export type Target = InstrumentType | 'all';

export interface Simulator {
  readonly site: Site;
  readonly settings: SimulationSettings;
  respond(
    target: Target,
    nowMs: number,
    requestNumber: number,
    faults: FaultRates,
    log?: LogRequest,
  ): SimulatedResponse;
}

const STREAM_FAULTS = 0x46414c54;
const STREAM_LOG_FAULTS = 0x4c4f4746;

/** One logged item, with the type and instrument it came from (for the envelope's count). */
interface LogEntry {
  readonly type: InstrumentType;
  readonly borehole: string;
  readonly item: WireItem;
}

function toWireItem(reading: SimulatedReading): WireItem {
  const { instrument } = reading;
  return {
    borehole_number: instrument.boreholeNumber,
    instrument: instrument.type,
    surface_level: instrument.surfaceLevel,
    northing: instrument.northing,
    easting: instrument.easting,
    reading: reading.value,
    timestamp: new Date(reading.timestampMs).toISOString(),
  };
}

function faultedItems(
  site: Site,
  readings: readonly SimulatedReading[],
  random: Random,
  faults: FaultRates,
  spikeRate: number,
): WireItem[] {
  return faultedEntries(site, readings, random, faults, spikeRate).map((e) => e.item);
}

function faultedEntries(
  site: Site,
  readings: readonly SimulatedReading[],
  random: Random,
  faults: FaultRates,
  spikeRate: number,
): LogEntry[] {
  const items: LogEntry[] = [];
  for (const reading of readings) {
    const plan = planItemFault(random, faults);
    let item: WireItem;
    if (plan.latenessMs !== undefined) {
      const earlierMs = reading.timestampMs - plan.latenessMs;
      item = toWireItem({
        ...reading,
        timestampMs: earlierMs,
        ...sampleAt(site, reading.instrument, earlierMs, spikeRate),
      });
    } else {
      item = toWireItem(reading);
    }
    if (plan.corruption) item = corruptItem(item, plan.corruption);
    const entry = {
      type: reading.instrument.type,
      borehole: reading.instrument.boreholeNumber,
      item,
    };
    items.push(entry);
    if (plan.duplicate) items.push(entry);
  }
  return items;
}

export function createSimulator(settings: SimulationSettings): Simulator {
  const site = buildSite(settings);
  // How long before its scan a logged reading may have been taken.
  const scanSampleSpanMs = Math.min(MAX_LOGGER_LAG_MS, settings.scanIntervalMs);

  const envelope = (
    type: InstrumentType,
    nowMs: number,
    random: Random,
    faults: FaultRates,
  ): Envelope => {
    const readings = readingsAt(site, type, nowMs, settings);
    const reporting = new Set(readings.map((r) => r.instrument.boreholeNumber)).size;
    return {
      instruments: reporting,
      units: INSTRUMENT_SPECS[type].unitsLabel,
      timezone: 'UTC',
      items: faultedItems(site, readings, random, faults, settings.spikeRate),
    };
  };

  const scanTypes = (target: Target): readonly InstrumentType[] =>
    target === 'all' ? INSTRUMENT_TYPES : [target];

  /** One scan of the log: a pure function of its time, faults included (keyed by scan, type). */
  const scan = (types: readonly InstrumentType[], scanMs: number, faults: FaultRates): LogEntry[] =>
    types.flatMap((type) =>
      faultedEntries(
        site,
        // Taken within the scan's interval: two scans never log the same sample twice.
        readingsAt(site, type, scanMs, settings, scanSampleSpanMs),
        keyedRandom(settings.seed, STREAM_LOG_FAULTS, scanMs, INSTRUMENT_TYPES.indexOf(type)),
        faults,
        settings.spikeRate,
      ),
    );

  const logEnvelope = (type: InstrumentType, entries: readonly LogEntry[]): Envelope => {
    const own = entries.filter((e) => e.type === type);
    return {
      instruments: new Set(own.map((e) => e.borehole)).size,
      units: INSTRUMENT_SPECS[type].unitsLabel,
      timezone: 'UTC',
      items: own.map((e) => e.item),
    };
  };

  const logBody = (
    target: Target,
    request: LogRequest,
    nowMs: number,
    faults: FaultRates,
  ): { body: Envelope | AllEnvelopes; cursor: CursorInfo } => {
    const types = scanTypes(target);
    const page = readLog(request.from, nowMs, request.limit, settings, (scanMs) =>
      scan(types, scanMs, faults),
    );
    const cursor = { next: formatCursor(page.next), more: page.more, gapMs: page.gapMs };
    if (target !== 'all') return { body: logEnvelope(target, page.items), cursor };
    const envelopes = Object.fromEntries(
      INSTRUMENT_TYPES.map((type) => [type, logEnvelope(type, page.items)]),
    ) as unknown as AllEnvelopes['envelopes'];
    const instruments = INSTRUMENT_TYPES.reduce((n, type) => n + envelopes[type].instruments, 0);
    return { body: { instruments, timezone: 'UTC', envelopes }, cursor };
  };

  return {
    site,
    settings,
    respond(target, nowMs, requestNumber, faults, log) {
      const random = keyedRandom(settings.seed, STREAM_FAULTS, requestNumber, nowMs);
      const plan = planRequestFault(random, faults);
      const delayMs = plan.slow ? faults.slowMs : 0;
      if (plan.outcome.kind === 'http_500') return { kind: 'http_500', delayMs };
      let body: Envelope | AllEnvelopes;
      // Without a cursor: the current readings, as the reference API, and the head of the log.
      let cursor: CursorInfo = {
        next: formatCursor(headPosition(nowMs, settings, scanSampleSpanMs)),
        more: false,
        gapMs: 0,
      };
      if (log !== undefined) {
        ({ body, cursor } = logBody(target, log, nowMs, faults));
      } else if (target === 'all') {
        const envelopes = Object.fromEntries(
          INSTRUMENT_TYPES.map((type) => [type, envelope(type, nowMs, random, faults)]),
        ) as unknown as AllEnvelopes['envelopes'];
        const instruments = INSTRUMENT_TYPES.reduce(
          (n, type) => n + envelopes[type].instruments,
          0,
        );
        body = { instruments, timezone: 'UTC', envelopes };
      } else {
        body = envelope(target, nowMs, random, faults);
      }
      if (plan.outcome.kind === 'garbage') {
        const payload = garbageBody(plan.outcome.garbage, JSON.stringify(body), random);
        return { kind: 'garbage', garbage: plan.outcome.garbage, payload, delayMs };
      }
      return { kind: 'ok', body, cursor, delayMs };
    },
  };
}
