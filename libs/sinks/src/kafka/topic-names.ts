import { INSTRUMENT_TYPES, type InstrumentType } from '@geostream/instrument-schemas';

/**
 * Per-type topic names: `<prefix><type><suffix>`. The default (no prefix or suffix) is the
 * type's own name, as in the reference. A suffix gives a pipeline version its own outputs
 * (e.g. '.v2') for Kappa reprocessing; a prefix isolates a test.
 */
export function perTypeTopicNamer(
  options: { readonly prefix?: string; readonly suffix?: string } = {},
): (instrument: InstrumentType) => string {
  const prefix = options.prefix ?? '';
  const suffix = options.suffix ?? '';
  return (instrument) => `${prefix}${instrument}${suffix}`;
}

export const defaultPerTypeTopic = perTypeTopicNamer();

export function perTypeTopicNames(perType: (instrument: InstrumentType) => string): string[] {
  return INSTRUMENT_TYPES.map(perType);
}
