import fc from 'fast-check';
import type { RawMessage } from '../../src/core/raw-message';
import { defined } from '@geostream/platform/testing';
import {
  INSTRUMENTS,
  T0,
  envelopeJson,
  rawMessages,
  readingJson,
  type TestInstrument,
} from './messages';

/**
 * A reading value in the instrument's plausible range. Dyadic fractions only, so every sum of
 * them is exact in a double and the naive oracle's mean equals the processor's bit for bit.
 */
export function valueFor(instrument: TestInstrument, v: number): number {
  switch (instrument.instrument) {
    case 'piezometer':
      return v;
    case 'settlement_marker':
      return -v / 8;
    case 'water_standpipe':
      return 70 + v / 32;
    case 'strain_gauge':
      return v * 4 - 600;
    case 'extensometer':
      return v / 8 - 20;
  }
}

type Event =
  | { kind: 'reading'; instrument: number; jitter: number; v: number }
  | { kind: 'upload'; instrument: number; count: number; spacing: number; v: number }
  | { kind: 'repeat'; back: number }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'invalid'; instrument: number; field: string; value: unknown }
  | {
      kind: 'envelope';
      readings: Array<{ instrument: number; jitter: number; v: number }>;
      badAt: number;
    };

const reading = fc.record({
  instrument: fc.integer({ min: 0, max: INSTRUMENTS.length - 1 }),
  // In 250 ms steps: up to 9 s back, 1 s ahead, and now and then a clock 10 s fast.
  jitter: fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: -36, max: 4 }) },
    { weight: 1, arbitrary: fc.constant(40) },
  ),
  v: fc.integer({ min: 0, max: 400 }),
});

const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 12, arbitrary: reading.map((r) => ({ kind: 'reading' as const, ...r })) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 6 }).map((back) => ({ kind: 'repeat' as const, back })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 12 })
      .map((bytes) => ({ kind: 'garbage' as const, bytes })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('invalid' as const),
      instrument: fc.integer({ min: 0, max: INSTRUMENTS.length - 1 }),
      field: fc.constantFrom('reading', 'borehole_number', 'timestamp', 'instrument'),
      value: fc.constantFrom(null, '', 'soon', 'NaN', 12),
    }),
  },
  {
    // A store-and-forward node: a burst of one instrument's readings, in order, from the last
    // seconds or minutes, uploaded at once.
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('upload' as const),
      instrument: fc.integer({ min: 0, max: INSTRUMENTS.length - 1 }),
      count: fc.integer({ min: 1, max: 8 }),
      spacing: fc.integer({ min: 1, max: 40 }), // in 250 ms steps
      v: fc.integer({ min: 0, max: 400 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('envelope' as const),
      readings: fc.array(reading, { minLength: 0, maxLength: 5 }),
      badAt: fc.integer({ min: -1, max: 5 }),
    }),
  },
);

export interface GeneratedStream {
  readonly messages: RawMessage[];
  /** Message indexes after which the partition's log clock is advanced (an idle partition), and to when. */
  readonly advanceAfter: ReadonlyMap<number, number>;
}

/**
 * Event time advances ~500 ms per message, with readings up to 9 s late or 1 s early, and
 * bursts of an instrument's past readings (store-and-forward); each message enters the log
 * 2 s after its slot (its Kafka timestamp), so instruments' delays vary from 1 to 12 s.
 */
export function streamArbitrary(maxLength = 80, minLength = 1): fc.Arbitrary<GeneratedStream> {
  return fc
    .record({
      events: fc.array(event, { minLength, maxLength }),
      advances: fc.array(
        fc.record({ at: fc.integer({ min: 0, max: maxLength }), ahead: fc.nat(60_000) }),
        { maxLength: 3 },
      ),
    })
    .map(({ events, advances }) => {
      const payloads: Array<string | Uint8Array> = [];
      const at = (i: number, jitter: number) => Math.max(0, i * 500 + jitter * 250);
      const wire = (r: { instrument: number; jitter: number; v: number }, i: number) => {
        const instrument = defined(INSTRUMENTS[r.instrument], `test instrument ${r.instrument}`);
        return readingJson(instrument, at(i, r.jitter), valueFor(instrument, r.v));
      };
      events.forEach((e, i) => {
        switch (e.kind) {
          case 'reading':
            payloads.push(JSON.stringify(wire(e, i)));
            break;
          case 'upload': {
            const instrument = defined(
              INSTRUMENTS[e.instrument],
              `test instrument ${e.instrument}`,
            );
            const items = Array.from({ length: e.count }, (_, k) =>
              readingJson(
                instrument,
                Math.max(0, i * 500 - (e.count - 1 - k) * e.spacing * 250),
                valueFor(instrument, (e.v + k) % 400),
              ),
            );
            payloads.push(JSON.stringify(envelopeJson(items)));
            break;
          }
          case 'repeat':
            payloads.push(payloads[Math.max(0, payloads.length - e.back)] ?? '{}');
            break;
          case 'garbage':
            payloads.push(e.bytes);
            break;
          case 'invalid':
            payloads.push(
              JSON.stringify({
                ...readingJson(
                  defined(INSTRUMENTS[e.instrument], `test instrument ${e.instrument}`),
                  at(i, 0),
                  1,
                ),
                [e.field]: e.value,
              }),
            );
            break;
          case 'envelope': {
            const items: unknown[] = e.readings.map((r) => wire(r, i));
            if (e.badAt >= 0 && e.badAt <= items.length) items.splice(e.badAt, 0, { reading: 'x' });
            payloads.push(JSON.stringify(envelopeJson(items)));
            break;
          }
        }
      });
      const logTime = (i: number) => T0 + i * 500 + 2_000;
      const messages = rawMessages(payloads).map((m, i) => ({
        ...m,
        timestamp: String(logTime(i)),
      }));
      return {
        messages,
        advanceAfter: new Map(advances.map((a) => [a.at, logTime(a.at) + a.ahead])),
      };
    });
}
