import type { InstrumentType } from '@geostream/instrument-schemas';

/** Trigger levels in rising order of severity. */
export const TRIGGER_LEVELS = ['none', 'alert', 'alarm', 'action'] as const;
export type TriggerLevel = (typeof TRIGGER_LEVELS)[number];

export interface InstrumentIdentity {
  readonly instrument: InstrumentType;
  readonly boreholeNumber: string;
}
