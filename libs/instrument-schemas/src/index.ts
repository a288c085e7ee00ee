/** The five instrument types, as named on the wire and as per-type Kafka topics. */
export const INSTRUMENT_TYPES = [
  'water_standpipe',
  'piezometer',
  'settlement_marker',
  'extensometer',
  'strain_gauge',
] as const;

export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];
