// What the window index's mappings cost Elasticsearch: its own CPU (from its node stats) per
// document written through the sink, a flush and a merge to one segment included, with the
// template's mappings against the same fields all indexed (template version 1). Alternated.
import { Client } from '@elastic/elasticsearch';
import { INSTRUMENT_TYPES, type WindowRecord } from '@geostream/instrument-schemas';
import { uniqueName } from '@geostream/platform/testing';
import {
  WINDOW_INDEX_MAPPINGS,
  createElasticsearchSink,
  windowIndexName,
  windowIndexTemplateName,
} from '../src';
import { windowRecords } from '../test/support/records';

const DOCUMENTS = 200_000;
const INSTRUMENTS = 10_000;
const BULK = 2_000;
const ROUNDS = 3;

/** Version 1 of the template: the same fields, every one indexed. */
const ALL_INDEXED = {
  ...WINDOW_INDEX_MAPPINGS,
  properties: Object.fromEntries(
    Object.entries(WINDOW_INDEX_MAPPINGS.properties).map(([name, field]) => [
      name,
      { type: field.type },
    ]),
  ),
};

/** Windows of a site: each borehole at its own place and level, readings at their own times. */
function siteWindows(): WindowRecord[] {
  return windowRecords(DOCUMENTS, { instruments: INSTRUMENTS }).map((window, i) => {
    const borehole = i % INSTRUMENTS;
    const startMs = Date.parse(window.window_start);
    return {
      ...window,
      surface_level: 80 + (borehole % 40) / 4,
      northing: 5_810_000 + borehole * 1.5,
      easting: 316_045 + ((borehole * 7) % INSTRUMENTS) * 0.5,
      first_timestamp: new Date(startMs + ((borehole * 37) % 400)).toISOString(),
      last_timestamp: new Date(startMs + 7_500 + ((borehole * 37) % 400)).toISOString(),
    };
  });
}

async function processCpuMs(es: Client): Promise<number> {
  const stats = await es.nodes.stats({ node_id: '_local', metric: 'process' });
  const node = Object.values(stats.nodes)[0];
  return node?.process?.cpu?.total_in_millis ?? NaN;
}

async function writeAll(
  es: Client,
  node: string,
  mappings: object | undefined,
  documents: readonly WindowRecord[],
): Promise<{ cpuUsPerDocument: number; megabytes: number }> {
  const prefix = uniqueName('sinks-bench-mapping');
  const sink = createElasticsearchSink({ node, indexPrefix: prefix, numberOfReplicas: 0 });
  try {
    // Indices made before the template is put keep their own mappings (the sink creates only
    // the absent ones).
    if (mappings !== undefined)
      for (const type of INSTRUMENT_TYPES)
        await es.indices.create({
          index: windowIndexName(prefix, type),
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings,
        });
    await sink.ensureIndexTemplate();
    const before = await processCpuMs(es);
    for (let i = 0; i < documents.length; i += BULK) {
      const result = await sink.writeWindows(documents.slice(i, i + BULK));
      if (result.rejected.length > 0) throw new Error(`rejected: ${result.rejected[0]?.reason}`);
    }
    await es.indices.flush({ index: `${prefix}-*` });
    await es.indices.forcemerge({ index: `${prefix}-*`, max_num_segments: 1 });
    const after = await processCpuMs(es);
    const store = await es.indices.stats({ index: `${prefix}-*`, metric: 'store' });
    return {
      cpuUsPerDocument: ((after - before) * 1000) / documents.length,
      megabytes: (store._all.primaries?.store?.size_in_bytes ?? NaN) / 1e6,
    };
  } finally {
    await sink.close();
    await es.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true });
    await es.indices.deleteIndexTemplate(
      { name: windowIndexTemplateName(prefix) },
      { ignore: [404] },
    );
  }
}

/** One line per round: Elasticsearch CPU per document and store size, each mapping. */
export async function benchMappingCost(node: string): Promise<string> {
  const es = new Client({ node });
  const documents = siteWindows();
  const lines: string[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const all = await writeAll(es, node, ALL_INDEXED, documents);
      const template = await writeAll(es, node, undefined, documents);
      lines.push(
        `round ${round}: every field indexed ${all.cpuUsPerDocument.toFixed(1)} us/document, ` +
          `${all.megabytes.toFixed(1)} MB; the template (version 2) ` +
          `${template.cpuUsPerDocument.toFixed(1)} us/document, ${template.megabytes.toFixed(1)} MB`,
      );
    }
  } finally {
    await es.close();
  }
  return lines.join('\n');
}
