import type { Client } from '@elastic/elasticsearch';
import { INSTRUMENT_TYPES, type WindowRecord } from '@geostream/instrument-schemas';
import {
  eventually,
  startTcpFaultProxy,
  uniqueName,
  type TcpFaultProxy,
} from '@geostream/platform/testing';
import {
  SinkUnavailableError,
  WINDOW_INDEX_MAPPINGS,
  createElasticsearchSink,
  windowIndexTemplateName,
  type ElasticsearchSink,
  type ElasticsearchSinkOptions,
} from '../../src';
import { nth, windowRecord, windowRecords } from '../support/records';
import { elasticsearchInspector, elasticsearchUrl, hostAndPort, viaAddress } from './services';

const T0 = Date.UTC(2022, 4, 2, 8);

describe('Elasticsearch sink (real Elasticsearch, own index prefix per test)', () => {
  let es: Client;
  let prefix: string;
  let sink: ElasticsearchSink;
  const sinks: ElasticsearchSink[] = [];

  function newSink(options: Partial<ElasticsearchSinkOptions> = {}): ElasticsearchSink {
    const created = createElasticsearchSink({
      node: elasticsearchUrl(),
      indexPrefix: prefix,
      numberOfReplicas: 0,
      ...options,
    });
    sinks.push(created);
    return created;
  }

  async function stored(
    index: string,
  ): Promise<{ count: number; docs: Map<string, WindowRecord> }> {
    await es.indices.refresh({ index });
    const result = await es.search<WindowRecord>({ index, size: 1_000, track_total_hits: true });
    const docs = new Map(
      result.hits.hits.map((hit) => [hit._id ?? '', hit._source as WindowRecord]),
    );
    const total = result.hits.total;
    return { count: typeof total === 'number' ? total : (total?.value ?? 0), docs };
  }

  beforeAll(() => {
    es = elasticsearchInspector();
  });

  beforeEach(async () => {
    prefix = uniqueName('sinks-test');
    sink = newSink();
    await sink.ensureIndexTemplate();
  });

  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await es.indices.delete({
      index: `${prefix}-*`,
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    await es.indices.deleteIndexTemplate(
      { name: windowIndexTemplateName(prefix) },
      { ignore: [404] },
    );
  });

  afterAll(() => es.close());

  it('creates one index per type with the explicit mappings of the template; again is harmless', async () => {
    await sink.ensureIndexTemplate();
    const mappings = await es.indices.getMapping({ index: `${prefix}-*` });
    expect(Object.keys(mappings).sort()).toEqual(
      INSTRUMENT_TYPES.map((t) => `${prefix}-${t}`).sort(),
    );
    for (const { mappings: actual } of Object.values(mappings)) {
      expect(actual).toEqual(JSON.parse(JSON.stringify(WINDOW_INDEX_MAPPINGS)));
    }
    const template = await es.indices.getIndexTemplate({ name: windowIndexTemplateName(prefix) });
    expect(template.index_templates[0]?.index_template._meta).toMatchObject({
      managed_by: '@geostream/sinks',
    });
  });

  it('indexes windows with _id = window id, searchable; a replay overwrites (same count, new values)', async () => {
    const windows = windowRecords(120, { instruments: 12 });
    expect(await sink.writeWindows(windows)).toEqual({ written: 120, rejected: [] });
    let { count, docs } = await stored(sink.indexFor('piezometer'));
    expect(count).toBe(120);
    expect(docs.get(nth(windows, 7).id)).toEqual(windows[7]);

    const hits = await es.search({
      index: sink.indexFor('piezometer'),
      query: {
        bool: {
          filter: [
            { term: { borehole_number: 'BH-3' } },
            {
              range: {
                window_start: { gte: new Date(nth(windows, 0).window_start).toISOString() },
              },
            },
          ],
        },
      },
      size: 0,
      track_total_hits: true,
    });
    expect(hits.hits.total).toMatchObject({ value: 10 });

    const corrected = windows.map((w) => ({
      ...w,
      reading_mean: w.reading_mean * 2,
      trigger_level: 'alarm' as const,
    }));
    await sink.writeWindows(corrected);
    ({ count, docs } = await stored(sink.indexFor('piezometer')));
    expect(count).toBe(120);
    expect(docs.get(nth(windows, 7).id)).toEqual(corrected[7]);
  });

  it('still filters, sorts and aggregates on the fields kept in doc values only', async () => {
    const windows = windowRecords(60, { instruments: 6 }).map((w, i) => ({
      ...w,
      northing: 5_815_000 + i,
      surface_level: 70 + (i % 10),
    }));
    await sink.writeWindows(windows);
    const index = sink.indexFor('piezometer');
    await es.indices.refresh({ index });
    const docValuesOnly = Object.entries(WINDOW_INDEX_MAPPINGS.properties)
      .filter(([, field]) => 'index' in field && field.index === false)
      .map(([name]) => name);
    expect(docValuesOnly).toEqual(expect.arrayContaining(['id', 'northing', 'first_timestamp']));

    const byId = await es.search({ index, query: { term: { id: nth(windows, 7).id } } });
    expect(byId.hits.hits.map((hit) => hit._id)).toEqual([nth(windows, 7).id]);

    const range = await es.search({
      index,
      query: { range: { northing: { gte: 5_815_050 } } },
      size: 0,
      track_total_hits: true,
    });
    expect(range.hits.total).toMatchObject({ value: 10 });

    const latest = await es.search<WindowRecord>({
      index,
      sort: [{ first_timestamp: 'desc' }, { id: 'asc' }],
      size: 1,
      aggs: { highest: { max: { field: 'surface_level' } } },
    });
    expect(latest.hits.hits[0]?._source?.first_timestamp).toBe(nth(windows, 54).first_timestamp);
    expect(latest.aggregations?.['highest']).toMatchObject({ value: 79 });
  });

  it('routes each window to the index of its type', async () => {
    const windows = INSTRUMENT_TYPES.map((instrument) => windowRecord({ instrument, startMs: T0 }));
    await sink.writeWindows(windows);
    for (const w of windows)
      expect((await stored(sink.indexFor(w.instrument))).docs.get(w.id)).toEqual(w);
  });

  it('returns a document that violates the mapping as rejected, with status and reason, and writes the rest', async () => {
    const good = windowRecords(5);
    const wrongType = {
      ...windowRecord({ startMs: T0 + 1e6 }),
      reading_mean: 'seventy-five',
    } as unknown as WindowRecord;
    const unknownField = {
      ...windowRecord({ startMs: T0 + 2e6 }),
      colour: 'red',
    } as unknown as WindowRecord;
    const result = await sink.writeWindows([
      nth(good, 0),
      wrongType,
      ...good.slice(1),
      unknownField,
    ]);
    expect(result.written).toBe(5);
    expect(result.rejected).toHaveLength(2);
    const byId = new Map(result.rejected.map((r) => [r.record.id, r]));
    expect(byId.get(wrongType.id)).toMatchObject({ record: wrongType, status: 400 });
    expect(byId.get(wrongType.id)?.reason).toMatch(/reading_mean/);
    expect(byId.get(unknownField.id)).toMatchObject({ status: 400 });
    expect(byId.get(unknownField.id)?.reason).toMatch(/strict_dynamic_mapping_exception|colour/);
    const { count } = await stored(sink.indexFor('piezometer'));
    expect(count).toBe(5);
  });

  describe('retriable item failures (429: an index under a read-only-allow-delete block)', () => {
    const block = (index: string, on: boolean) =>
      es.indices.putSettings({
        index,
        settings: { 'index.blocks.read_only_allow_delete': on ? true : null },
      });

    it('retries only the failed items until they are written', async () => {
      const patient = newSink({ retry: { retries: 30, initialDelayMs: 50, maxDelayMs: 200 } });
      await block(sink.indexFor('piezometer'), true);
      const windows = [
        ...windowRecords(10),
        ...windowRecords(10).map((w) => ({
          ...w,
          instrument: 'strain_gauge' as const,
          id: `sg:${w.id}`,
          unit: 'µε',
        })),
      ];
      const writing = patient.writeWindows(windows);
      // The strain gauge index is not blocked: its documents are in while the others wait.
      await eventually(
        async () => ((await stored(sink.indexFor('strain_gauge'))).count === 10 ? true : undefined),
        { timeoutMs: 10_000, what: 'the unblocked documents' },
      );
      expect((await stored(sink.indexFor('piezometer'))).count).toBe(0);
      await block(sink.indexFor('piezometer'), false);
      expect(await writing).toEqual({ written: 20, rejected: [] });
      expect((await stored(sink.indexFor('piezometer'))).count).toBe(10);
      // Written once each: the retries resent only the items that had failed.
      const versions = await es.search({
        index: sink.indexFor('strain_gauge'),
        version: true,
        size: 100,
      });
      expect(versions.hits.hits.map((hit) => hit._version)).toEqual(Array(10).fill(1));
    });

    it('gives up with a retriable SinkUnavailableError when the items keep failing', async () => {
      const impatient = newSink({ retry: { retries: 2, initialDelayMs: 10, maxDelayMs: 20 } });
      await block(sink.indexFor('piezometer'), true);
      try {
        const error = await impatient.writeWindows(windowRecords(3)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SinkUnavailableError);
        expect(error).toMatchObject({ retriable: true, details: { retriableItems: 3 } });
        expect(String((error as SinkUnavailableError).details['reason'])).toMatch(
          /^429 cluster_block_exception/,
        );
      } finally {
        await block(sink.indexFor('piezometer'), false);
      }
    });
  });

  describe('when Elasticsearch is unreachable (a fault proxy cut for this sink only)', () => {
    let proxy: TcpFaultProxy;
    let viaProxy: (options?: Partial<ElasticsearchSinkOptions>) => ElasticsearchSink;

    beforeEach(async () => {
      proxy = await startTcpFaultProxy(hostAndPort(elasticsearchUrl(), 9200));
      viaProxy = (options = {}) =>
        newSink({
          node: viaAddress(elasticsearchUrl(), proxy.address),
          requestTimeoutMs: 2_000,
          ...options,
        });
    });

    afterEach(() => proxy.close());

    it('fails with a retriable SinkUnavailableError, and works again once restored', async () => {
      const cut = viaProxy({ retry: { retries: 1, initialDelayMs: 10, maxDelayMs: 10 } });
      await cut.writeWindows(windowRecords(3));
      proxy.cut();
      for (const attempt of [() => cut.writeWindows(windowRecords(5)), () => cut.ping()]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SinkUnavailableError);
        expect(error).toMatchObject({ retriable: true, details: { sink: 'elasticsearch' } });
      }
      proxy.restore();
      await cut.ping();
      expect(await cut.writeWindows(windowRecords(5))).toEqual({ written: 5, rejected: [] });
    });

    it('retries a whole failed bulk request until the connection is back', async () => {
      const patient = viaProxy({ retry: { retries: 40, initialDelayMs: 50, maxDelayMs: 200 } });
      proxy.cut();
      setTimeout(() => proxy.restore(), 1_000);
      expect(await patient.writeWindows(windowRecords(50))).toEqual({ written: 50, rejected: [] });
      expect((await stored(sink.indexFor('piezometer'))).count).toBe(50);
    });
  });
});
