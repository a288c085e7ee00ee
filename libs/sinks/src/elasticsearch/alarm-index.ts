import type { AlarmState, AuditAction } from '@geostream/alerting';
import type {
  AlarmCondition,
  InstrumentType,
  TriggerDirection,
  TriggerLevel,
} from '@geostream/instrument-schemas';
import { alarmColumns, type StoredAuditEntry } from '../postgres/app/alarm-store';
import { silentLogger } from '../silent-logger';
import type { RejectedDocument } from './bulk-outcome';
import { writeBulk } from './bulk-writer';
import { createElasticsearchClient, createIndexIfAbsent } from './elasticsearch-sink';
import { elasticsearchGuard } from './elasticsearch-errors';
import { indexSettings, type WindowIndexSettings } from './index-template';
import { resolveElasticsearchOptions } from './options';
import type { ElasticsearchSinkOptions } from './types';

/**
 * Alarms and their transitions in Elasticsearch, for people who search them in Kibana. One
 * index (default `alerts`) from a template of the same name, holding two kinds of document:
 * - `kind: 'alarm'`, `_id` = the alarm (occurrence) id: the occurrence as it stands now;
 * - `kind: 'transition'`, `_id` = `audit-<audit id>`: one audit entry (raise, clear,
 *   acknowledge, shelve, unshelve, comment).
 * Alarm ids start with an instrument type, so the two kinds of _id never meet. Documents are
 * written from the audit log (the alarm-manager's search outbox), overwriting by _id, so
 * indexing an entry again changes nothing.
 */
export const DEFAULT_ALARM_INDEX = 'alerts';
export const ALARM_INDEX_TEMPLATE_VERSION = 1;

interface AlarmFields {
  readonly alarm_id: string;
  readonly point: string;
  readonly condition: AlarmCondition;
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly direction: TriggerDirection | null;
}

export interface AlarmDocument extends ReturnType<typeof alarmColumns> {
  readonly kind: 'alarm';
  /** The audit entry this state is from (its time and id). */
  readonly updated_at: string;
  readonly audit_id: number;
}

export interface TransitionDocument extends AlarmFields {
  readonly kind: 'transition';
  readonly audit_id: number;
  readonly action: AuditAction;
  readonly at: string;
  readonly by: string;
  readonly comment: string | null;
  readonly from_state: AlarmState | null;
  readonly to_state: AlarmState;
  readonly from_level: TriggerLevel;
  readonly to_level: TriggerLevel;
  readonly shelved_until: string | null;
  readonly event_id: string | null;
  readonly recorded_at: string;
}

export type AlarmIndexDocument = AlarmDocument | TransitionDocument;

const keyword = { type: 'keyword' } as const;
const date = { type: 'date' } as const;

/** Explicit and strict, as the window indices: an unknown field fails loudly. */
export const ALARM_INDEX_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    kind: keyword,
    alarm_id: keyword,
    point: keyword,
    condition: keyword,
    instrument: keyword,
    borehole_number: keyword,
    direction: keyword,
    state: keyword,
    level: keyword,
    peak_level: keyword,
    raised_at: date,
    cleared_at: date,
    acknowledged_by: keyword,
    acknowledged_at: date,
    shelved_until: date,
    shelved_by: keyword,
    shelved_reason: { type: 'text' },
    updated_at: date,
    audit_id: { type: 'long' },
    action: keyword,
    at: date,
    by: keyword,
    comment: { type: 'text' },
    from_state: keyword,
    to_state: keyword,
    from_level: keyword,
    to_level: keyword,
    event_id: keyword,
    recorded_at: date,
  },
} as const;

/** PUT _index_template/<index>: exactly that index (no wildcard, see the window template). */
export function alarmIndexTemplate(index: string, settings: WindowIndexSettings = {}) {
  return {
    index_patterns: [index],
    priority: 200 + index.length,
    template: { settings: indexSettings(settings), mappings: ALARM_INDEX_MAPPINGS },
    _meta: { managed_by: '@geostream/sinks', version: ALARM_INDEX_TEMPLATE_VERSION },
  };
}

/** The _id of a document. */
export function alarmDocumentId(document: AlarmIndexDocument): string {
  return document.kind === 'alarm' ? document.alarm_id : `audit-${document.audit_id}`;
}

/**
 * The documents of some audit entries, in audit order: one transition each, and for each
 * occurrence its state after the last of them (a comment on a past occurrence changes none).
 */
export function alarmIndexDocuments(entries: readonly StoredAuditEntry[]): AlarmIndexDocument[] {
  const sorted = [...entries].sort((a, b) => compareIds(a.id, b.id));
  const alarms = new Map<string, AlarmDocument>();
  const transitions: TransitionDocument[] = [];
  for (const entry of sorted) {
    const l = entry.lifecycle;
    const fields: AlarmFields = {
      alarm_id: entry.alarm_id,
      point: entry.point,
      condition: entry.condition,
      instrument: entry.instrument,
      borehole_number: entry.borehole_number,
      direction: l.direction,
    };
    transitions.push({
      ...fields,
      kind: 'transition',
      audit_id: Number(entry.id),
      action: entry.action,
      at: entry.at,
      by: entry.by,
      comment: entry.comment,
      from_state: entry.from_state,
      to_state: entry.to_state,
      from_level: entry.from_level,
      to_level: entry.to_level,
      shelved_until: entry.shelved_until,
      event_id: entry.event_id,
      recorded_at: entry.recorded_at,
    });
    if (l.alarm_id !== entry.alarm_id) continue;
    alarms.set(entry.alarm_id, {
      ...alarmColumns(l),
      kind: 'alarm',
      updated_at: entry.at,
      audit_id: Number(entry.id),
    });
  }
  return [...transitions, ...alarms.values()];
}

const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

export interface AlarmIndexWriterOptions extends Omit<
  ElasticsearchSinkOptions,
  'indexPrefix' | 'maxDocumentsPerBulk'
> {
  /** The index (and its template's name). Default 'alerts'. */
  readonly index?: string;
}

export interface AlarmIndexWriter {
  readonly index: string;
  /** Puts the template and creates the index if absent; idempotent. */
  ensureIndexTemplate(): Promise<void>;
  /**
   * Indexes the documents of these audit entries. Throws SinkUnavailableError while
   * Elasticsearch is unreachable (index them again later: overwriting is harmless).
   */
  writeAuditEntries(entries: readonly StoredAuditEntry[]): Promise<{
    readonly written: number;
    readonly rejected: readonly RejectedDocument<AlarmIndexDocument>[];
  }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createAlarmIndexWriter(options: AlarmIndexWriterOptions): AlarmIndexWriter {
  const index = options.index ?? DEFAULT_ALARM_INDEX;
  const settings = resolveElasticsearchOptions({ ...options, indexPrefix: index });
  const logger = (options.logger ?? silentLogger()).child({ component: 'alarm-index' });
  const client = createElasticsearchClient(settings);
  let closed = false;
  const guarded = elasticsearchGuard(() => closed);

  return {
    index,
    ensureIndexTemplate: () =>
      guarded('ensureAlarmIndexTemplate', async () => {
        await client.indices.putIndexTemplate({
          name: index,
          ...alarmIndexTemplate(index, options),
        } as Parameters<typeof client.indices.putIndexTemplate>[0]);
        await createIndexIfAbsent(client, index);
      }),
    writeAuditEntries: (entries) =>
      guarded('writeAlarms', () =>
        writeBulk(
          client,
          alarmIndexDocuments(entries),
          (document) => ({ index, id: alarmDocumentId(document) }),
          {
            retry: settings.retry,
            maxDocumentsPerBulk: settings.maxDocumentsPerBulk,
            logger,
            operation: 'writeAlarms',
          },
        ),
      ),
    ping: () =>
      guarded('ping', async () => {
        await client.cluster.health({ timeout: '5s' });
      }),
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
