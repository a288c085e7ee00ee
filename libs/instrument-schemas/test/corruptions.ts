// Single-field corruptions of a valid reading and the reason code each must be rejected with.
// Shared by the validator's property tests and the JSON Schema agreement tests.
import fc from 'fast-check';
import { INSTRUMENT_SPECS, INSTRUMENT_TYPES, physicalRangeFor } from '../src/instrument-types';
import type { ReasonCode } from '../src/problems';
import type { ReadingMessage } from '../src/schemas/reading';

export interface Corruption {
  readonly field: string;
  readonly code: ReasonCode;
  /** The corrupted reading, or undefined when this corruption does not apply to it. */
  readonly apply: (message: ReadingMessage) => Record<string, unknown> | undefined;
}

const set =
  (field: string, value: unknown) =>
  (m: ReadingMessage): Record<string, unknown> => ({ ...m, [field]: value });

const NUMBER_FIELDS = ['surface_level', 'northing', 'easting', 'reading'] as const;
const STRING_FIELDS = ['borehole_number', 'instrument', 'timestamp'] as const;
const REQUIRED_FIELDS = [...STRING_FIELDS, ...NUMBER_FIELDS];

const wrongTypeValue = fc.constantFrom<unknown>(true, false, [], {}, [1], { value: 1 });
const numericString = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((n) => String(n))
  .filter((s) => !/inf|nan/i.test(s));
const nonFiniteValue = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  -Infinity,
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  '+inf',
  ' -INF ',
);
const blank = fc.constantFrom('', ' ', '\t', '  \n ');
const unknownInstrument = fc
  .string({ minLength: 1, maxLength: 20 })
  .filter((s) => /\S/.test(s) && !(INSTRUMENT_TYPES as readonly string[]).includes(s));

/** A corruption drawn at random: which field, which damage, and the code it must produce. */
export const corruptionArbitrary: fc.Arbitrary<Corruption> = fc.oneof(
  fc.constantFrom(...REQUIRED_FIELDS).map((field): Corruption => ({
    field,
    code: 'missing_field',
    apply: (m) => {
      const copy: Record<string, unknown> = { ...m };
      delete copy[field];
      return copy;
    },
  })),
  fc
    .constantFrom(...REQUIRED_FIELDS)
    .map((field): Corruption => ({ field, code: 'null_value', apply: set(field, null) })),
  fc
    .tuple(fc.constantFrom(...REQUIRED_FIELDS), wrongTypeValue)
    .map(([field, value]): Corruption => ({ field, code: 'wrong_type', apply: set(field, value) })),
  fc
    .tuple(fc.constantFrom(...STRING_FIELDS), fc.double())
    .map(([field, value]): Corruption => ({ field, code: 'wrong_type', apply: set(field, value) })),
  fc
    .tuple(fc.constantFrom(...NUMBER_FIELDS), numericString)
    .map(([field, value]): Corruption => ({ field, code: 'wrong_type', apply: set(field, value) })),
  fc.tuple(fc.constantFrom(...NUMBER_FIELDS), nonFiniteValue).map(([field, value]): Corruption => ({
    field,
    code: 'non_finite_number',
    apply: set(field, value),
  })),
  fc.tuple(fc.constantFrom(...STRING_FIELDS), blank).map(([field, value]): Corruption => ({
    field,
    code: 'empty_string',
    apply: set(field, value),
  })),
  unknownInstrument.map((value): Corruption => ({
    field: 'instrument',
    code: 'unknown_instrument',
    apply: set('instrument', value),
  })),
  fc.constant<Corruption>({
    field: 'timestamp',
    code: 'timestamp_without_zone',
    apply: (m) => ({ ...m, timestamp: m.timestamp.replace(/([Zz]|[+-]\d\d:\d\d)$/, '') }),
  }),
  fc
    .constantFrom(
      'yesterday',
      '2022-13-02T08:02:20Z',
      '2022-02-29T08:02:20Z',
      '2022-05-02T24:00:00Z',
      '2022-05-02T08:02:60Z',
      '2022-05-02T08:02Z',
      '2022-05-02',
      '2022-05-02T08:02:20.Z',
      '2022-05-02T08:02:20+0200',
      '2022-05-02T08:02:20+24:00',
      '02/05/2022 08:02:20Z',
      'Mon, 02 May 2022 08:02:20 GMT',
      '2022-05-02T08:02:20.073Z ',
    )
    .map((value): Corruption => ({
      field: 'timestamp',
      code: 'invalid_timestamp',
      apply: set('timestamp', value),
    })),
  fc
    .tuple(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.boolean())
    .map(([excess, above]): Corruption => ({
      field: 'reading',
      code: 'out_of_physical_range',
      apply: (m) => {
        const range = physicalRangeFor(m.instrument, m.surface_level);
        // Clear of the bound by more than rounding can blur.
        const margin = Math.max(excess, Math.abs(m.surface_level) * 1e-9 + 1e-6);
        return { ...m, reading: above ? range.max + margin : range.min - margin };
      },
    })),
  fc
    .oneof(fc.integer({ min: 2, max: 1000 }), fc.integer({ min: -10, max: 0 }), fc.constant(1.5))
    .map((value): Corruption => ({
      field: 'version',
      code: 'unsupported_version',
      apply: set('version', value),
    })),
);

/** Whether JSON Schema can see this corruption (see README: validator-only rules). */
export function schemaCanDetect(corruption: Corruption, message: ReadingMessage): boolean {
  return !(
    corruption.code === 'out_of_physical_range' &&
    INSTRUMENT_SPECS[message.instrument].physicalRange.relativeTo !== undefined
  );
}
