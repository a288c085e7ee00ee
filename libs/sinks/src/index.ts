import type { InstrumentType } from '@geostream/instrument-schemas';
import type { DatabaseSettings } from '@geostream/platform';

/** Per-type topic, PostgreSQL and Elasticsearch sinks: filled in by the stream-processor issue. */
export interface SinkTarget {
  readonly instrument: InstrumentType;
  readonly database: DatabaseSettings;
}
