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
import { readingsAt, sampleAt, type ReadingBehaviour, type SimulatedReading } from './readings';
import { keyedRandom, type Random } from './random';
import { buildSite, type Site, type SiteOptions } from './site';

/**
 * The whole simulated API behind one function: what a request for a type (or for all of them)
 * at a given time returns, faults included. Deterministic in (seed, request number, time):
 * readings depend on the time only, fault plans on the request number and the time.
 */
export interface SimulationSettings extends SiteOptions, ReadingBehaviour {}

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
  | { readonly kind: 'ok'; readonly body: Envelope | AllEnvelopes; readonly delayMs: number }
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
  ): SimulatedResponse;
}

const STREAM_FAULTS = 0x46414c54;

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
  const items: WireItem[] = [];
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
    items.push(item);
    if (plan.duplicate) items.push(item);
  }
  return items;
}

export function createSimulator(settings: SimulationSettings): Simulator {
  const site = buildSite(settings);

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

  return {
    site,
    settings,
    respond(target, nowMs, requestNumber, faults) {
      const random = keyedRandom(settings.seed, STREAM_FAULTS, requestNumber, nowMs);
      const plan = planRequestFault(random, faults);
      const delayMs = plan.slow ? faults.slowMs : 0;
      if (plan.outcome.kind === 'http_500') return { kind: 'http_500', delayMs };
      let body: Envelope | AllEnvelopes;
      if (target === 'all') {
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
      return { kind: 'ok', body, delayMs };
    },
  };
}
