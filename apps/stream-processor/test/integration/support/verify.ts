import type { Client } from '@elastic/elasticsearch';
import {
  INSTRUMENT_TYPES,
  type Alert,
  type DeadLetter,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import { defined, eventually } from '@geostream/platform/testing';
import type { Knex } from 'knex';
import type { Kafka } from 'kafkajs';
import { expectedAlerts } from '../../support/oracle';
import {
  allDeadLetters,
  allWindows,
  byId,
  expectedRecords,
  oracleOfPartitions,
  type PartitionOracle,
} from './expectations';
import {
  asRawMessages,
  deadLettersOf,
  elasticsearchWindows,
  isLevelAlert,
  postgresAlerts,
  postgresCheckpoints,
  postgresWindows,
  readTopic,
  type Isolation,
} from './harness';

export interface Model {
  readonly oracles: PartitionOracle[];
  readonly windows: WindowRecord[];
  readonly alertIds: string[];
  /** Next offset after the last record of each raw partition. */
  readonly ends: Map<number, number>;
  /** The raw records, by `partition:offset`: the source of every dead letter. */
  readonly raw: Map<string, Awaited<ReturnType<typeof readTopic>>[number]>;
}

/** The model of what was produced, read back from the raw topic itself (offsets included). */
export async function modelOf(
  kafka: Kafka,
  test: Isolation,
  spec: { sizeMs: number; graceMs: number },
): Promise<Model> {
  const produced = await readTopic(kafka, test.rawTopic);
  const partitions = [...new Set(produced.map((m) => m.partition))];
  const oracles = oracleOfPartitions(
    new Map(partitions.map((p) => [p, asRawMessages(produced, p)])),
    spec,
  );
  return {
    oracles,
    windows: expectedRecords(allWindows(oracles), spec.sizeMs),
    alertIds: expectedAlerts(allWindows(oracles))
      .map((a) => a.id)
      .sort(),
    ends: new Map(produced.map((m) => [m.partition, Number(m.offset) + 1])),
    raw: new Map(produced.map((m) => [`${m.partition}:${m.offset}`, m])),
  };
}

/** Waits until PostgreSQL and Elasticsearch hold as many windows as the model, all checkpointed. */
export async function waitForModel(
  db: Knex,
  es: Client | undefined,
  test: Isolation,
  model: Model,
  timeoutMs = 90_000,
): Promise<void> {
  await eventually(
    async () => {
      const checkpoints = await postgresCheckpoints(db, test);
      if (checkpoints.length !== model.ends.size) return undefined;
      if (
        !checkpoints.every(
          (c) =>
            Number(c.next_offset) >=
            defined(model.ends.get(c.partition), `end offset of raw partition ${c.partition}`),
        )
      )
        return undefined;
      if ((await postgresWindows(db, test)).length !== model.windows.length) return undefined;
      if (es && (await elasticsearchWindows(es, test)).length !== model.windows.length)
        return undefined;
      return true;
    },
    { timeoutMs, intervalMs: 500, what: `${model.windows.length} windows in every sink` },
  );
}

/**
 * PostgreSQL and Elasticsearch hold exactly the model's windows and alerts; the per-type
 * topics hold every window, any repeat carrying the same key and identical content; the
 * dead-letter topic holds exactly the model's dead letters (none lost, none doubled under two
 * ids), each with its raw record's time and, for a whole message, its original bytes.
 */
export async function expectSinksHoldModel(
  kafka: Kafka,
  db: Knex,
  es: Client | undefined,
  test: Isolation,
  model: Model,
): Promise<void> {
  expect(await postgresWindows(db, test)).toEqual(model.windows);
  if (es) expect(await elasticsearchWindows(es, test)).toEqual(model.windows);
  expect((await postgresAlerts(db, test)).map((a: Alert) => a.id)).toEqual(model.alertIds);

  const latest = new Map<string, WindowRecord>();
  for (const type of INSTRUMENT_TYPES)
    for (const message of await readTopic(kafka, `${test.topicPrefix}${type}`)) {
      const record = JSON.parse(
        defined(message.value, `value of ${type} window message ${message.offset}`).toString(),
      ) as WindowRecord;
      expect(message.key).toBe(record.id);
      const earlier = latest.get(record.id);
      if (earlier) expect(record).toEqual(earlier);
      latest.set(record.id, record);
    }
  expect([...latest.values()].sort(byId)).toEqual(model.windows);

  const alerts = new Map<string, Alert>();
  for (const message of await readTopic(kafka, test.alertsTopic)) {
    const alert = JSON.parse(
      defined(message.value, `value of alert message ${message.offset}`).toString(),
    ) as Alert;
    const earlier = alerts.get(alert.id);
    if (earlier) expect(alert).toEqual(earlier);
    alerts.set(alert.id, alert);
  }
  expect(
    [...alerts.values()]
      .filter(isLevelAlert)
      .map((a) => a.id)
      .sort(),
  ).toEqual(model.alertIds);

  const deadLetters = new Map<string, DeadLetter>();
  for (const letter of deadLettersOf(await readTopic(kafka, test.dlqTopic))) {
    const earlier = deadLetters.get(letter.id);
    if (earlier) expect(letter).toEqual(earlier); // a repeat (at-least-once) is identical
    deadLetters.set(letter.id, letter);
  }
  const coordinates = (partition: number, offset: string, item: number | null, reason: string) =>
    `${partition}:${offset}:${item}:${reason}`;
  expect(
    [...deadLetters.values()]
      .map((d) => coordinates(d.source.partition, d.source.offset, d.item_index, d.reason))
      .sort(),
  ).toEqual(
    allDeadLetters(model.oracles)
      .map((d) => coordinates(d.partition, d.offset, d.item, d.reason))
      .sort(),
  );
  for (const letter of deadLetters.values()) {
    const source = defined(
      model.raw.get(`${letter.source.partition}:${letter.source.offset}`),
      `raw record ${letter.source.partition}:${letter.source.offset} of dead letter ${letter.id}`,
    );
    expect(letter.dead_lettered_at).toBe(new Date(Number(source.timestamp)).toISOString());
    if (letter.item_index === null)
      expect(Buffer.from(letter.payload_base64, 'base64')).toEqual(source.value ?? Buffer.alloc(0));
  }

  const checkpoints = await postgresCheckpoints(db, test);
  for (const { partition, result } of model.oracles) {
    const accounting = defined(
      checkpoints.find((c) => c.partition === partition),
      `checkpoint of partition ${partition}`,
    ).state.accounting;
    expect(accounting).toMatchObject({
      readings: result.readings,
      counted: result.counted,
      duplicates: result.duplicates,
    });
  }
}
