import { INSTRUMENT_TYPES, type InstrumentType } from '@geostream/instrument-schemas';

export const DEFAULT_INDEX_PREFIX = 'readings';

/** Bumped whenever the mappings change; stored in the template's _meta. */
export const WINDOW_INDEX_TEMPLATE_VERSION = 2;

/** `<prefix>-<type>`, e.g. readings-piezometer. */
export function windowIndexName(prefix: string, instrument: InstrumentType): string {
  return `${prefix}-${instrument}`;
}

export function windowIndexTemplateName(prefix: string): string {
  return `${prefix}-windows`;
}

/**
 * A field kept in doc values only: no inverted index or points tree is built for it, yet it can
 * still be filtered on (Elasticsearch scans its doc values: slower, for fields rarely searched),
 * sorted and aggregated. Version 2 of the template maps this way the fields nobody filters a
 * window by (its id, which the document's _id already indexes; its unit, count and schema; the
 * first and last reading times; the borehole's level and grid position): in a backlog they were
 * the larger part of Elasticsearch's indexing and merging work per document.
 */
const DOC_VALUES_ONLY = { index: false } as const;

/**
 * Explicit mappings of a window record. `dynamic: 'strict'` makes a document with an unknown
 * field fail loudly (and be dead-lettered) instead of growing the mapping by guesswork: a new
 * field means a new template version. Northing and easting are site-grid metres, not
 * latitude/longitude, so they are doubles rather than a geo_point. Indexed for fast search:
 * what a window is found by (instrument, borehole, time, trigger level) and its values.
 */
export const WINDOW_INDEX_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    schema_version: { type: 'short', ...DOC_VALUES_ONLY },
    id: { type: 'keyword', ...DOC_VALUES_ONLY },
    instrument: { type: 'keyword' },
    borehole_number: { type: 'keyword' },
    window_start: { type: 'date' },
    window_end: { type: 'date' },
    reading_mean: { type: 'double' },
    reading_min: { type: 'double' },
    reading_max: { type: 'double' },
    reading_count: { type: 'integer', ...DOC_VALUES_ONLY },
    first_timestamp: { type: 'date', ...DOC_VALUES_ONLY },
    last_timestamp: { type: 'date', ...DOC_VALUES_ONLY },
    unit: { type: 'keyword', ...DOC_VALUES_ONLY },
    surface_level: { type: 'double', ...DOC_VALUES_ONLY },
    northing: { type: 'double', ...DOC_VALUES_ONLY },
    easting: { type: 'double', ...DOC_VALUES_ONLY },
    trigger_level: { type: 'keyword' },
  },
} as const;

export interface WindowIndexSettings {
  readonly numberOfShards?: number;
  readonly numberOfReplicas?: number;
  readonly refreshInterval?: string;
}

/**
 * The index settings of a template: 1 shard, and the cluster's replicas and refresh. Left to
 * Elasticsearch, an index refreshes every second while it is searched and not at all once no
 * search came for 30 s (the first search then waits for one refresh: it still sees every
 * document). Set explicitly, it refreshes every interval whether anyone looks or not: 18% more
 * Elasticsearch CPU over 70 s of steady indexing on this machine, more the longer nobody searches.
 */
export function indexSettings(settings: WindowIndexSettings) {
  return {
    number_of_shards: settings.numberOfShards ?? 1,
    ...(settings.numberOfReplicas === undefined
      ? {}
      : { number_of_replicas: settings.numberOfReplicas }),
    ...(settings.refreshInterval === undefined
      ? {}
      : { refresh_interval: settings.refreshInterval }),
  };
}

/**
 * The body of PUT _index_template/<prefix>-windows. Its patterns are the five exact index
 * names, not `<prefix>-*`: a wildcard would also match another prefix that starts the same way
 * ('readings-*' matches 'readings-v2-piezometer'), and Elasticsearch refuses overlapping
 * templates of equal priority. Longer prefixes get a higher priority, so even a wildcard
 * template someone else made for a shorter prefix never wins over ours.
 */
export function windowIndexTemplate(prefix: string, settings: WindowIndexSettings = {}) {
  return {
    index_patterns: INSTRUMENT_TYPES.map((type) => windowIndexName(prefix, type)),
    priority: 200 + prefix.length,
    template: {
      settings: indexSettings(settings),
      mappings: WINDOW_INDEX_MAPPINGS,
    },
    _meta: {
      managed_by: '@geostream/sinks',
      version: WINDOW_INDEX_TEMPLATE_VERSION,
    },
  };
}
