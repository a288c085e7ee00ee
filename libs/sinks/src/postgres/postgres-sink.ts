import knexFactory, { type Knex } from 'knex';
import type { Logger } from '@geostream/platform';
import { CheckpointSupersededError, SinkClosedError, SinkRejectedError } from '../errors';
import { silentLogger } from '../silent-logger';
import { chunk } from '../batching';
import { planBatch, type BatchPlan } from './batch-plan';
import { qualified } from './identifiers';
import { migrateSerialised } from './migrate-serialised';
import { MIGRATIONS } from './migrations';
import { grantOutputRoles } from './roles';
import { resolvePostgresOptions, type ResolvedPostgresOptions } from './options';
import { postgresSinkError } from './postgres-errors';
import { MIGRATIONS_TABLE, POSTGRES_TABLES } from './tables';
import type {
  MigrationResult,
  PartitionCheckpoint,
  PostgresBatch,
  PostgresSink,
  PostgresSinkOptions,
  PostgresWriteResult,
  StoredCheckpoint,
} from './types';
import {
  ALERT_EVENT_UPSERT,
  INSTRUMENT_STATE_UPSERT,
  PROCESSOR_CHECKPOINT_UPSERT,
  PROCESSOR_INSTRUMENT_CHECKPOINT_UPSERT,
  READING_WINDOW_UPSERT,
} from './upsert-specs';
import { maxValuesRows, unnestUpsert, valuesUpsert, type UpsertSpec } from './upsert-statement';

/** PostgreSQL sink: versioned migrations, one transaction per batch of multi-row upserts. */
export function createPostgresSink(options: PostgresSinkOptions): PostgresSink {
  const settings = resolvePostgresOptions(options);
  const logger = (options.logger ?? silentLogger()).child({ component: 'postgres-sink' });
  const knex = buildKnex(settings, logger);
  const { schema } = settings;
  let closed = false;

  async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (closed) throw new SinkClosedError('postgres', operation);
    try {
      return await work();
    } catch (error) {
      throw postgresSinkError(operation, error);
    }
  }

  async function upsertAll<Row>(
    trx: Knex.Transaction,
    spec: UpsertSpec<Row>,
    rows: readonly Row[],
  ) {
    const strategy = settings.upsertStrategy;
    const size =
      strategy === 'values'
        ? Math.min(settings.maxRowsPerStatement, maxValuesRows(spec as UpsertSpec<unknown>))
        : settings.maxRowsPerStatement;
    for (const slice of chunk(rows, size)) {
      const statement =
        strategy === 'values'
          ? valuesUpsert(schema, spec, slice)
          : unnestUpsert(schema, spec, slice);
      await trx.raw(statement.sql, statement.bindings as Knex.RawBinding[]);
    }
  }

  /**
   * Locks each partition row a checkpoint of the batch follows and checks it is still where its
   * writer last knew it (or already at this checkpoint: an earlier attempt of the same write
   * whose commit answer was lost). No row yet locks nothing; the primary key settles a race.
   */
  async function checkFollowed(trx: Knex.Transaction, checkpoints: readonly PartitionCheckpoint[]) {
    for (const c of checkpoints) {
      if (c.follows === undefined) continue;
      const row = (await trx
        .withSchema(schema)
        .from(POSTGRES_TABLES.processorCheckpoint)
        .where({ consumer_group: c.consumerGroup, topic: c.topic, partition: c.partition })
        .forUpdate()
        .first('next_offset')) as { next_offset: string } | undefined;
      const stored = row === undefined ? null : String(row.next_offset);
      if (stored !== c.follows && stored !== c.nextOffset)
        throw new CheckpointSupersededError({
          consumerGroup: c.consumerGroup,
          topic: c.topic,
          partition: c.partition,
          follows: c.follows,
          stored,
        });
    }
  }

  async function write(
    plan: BatchPlan,
    checkpoints: readonly PartitionCheckpoint[],
  ): Promise<void> {
    await knex.transaction(async (trx) => {
      await checkFollowed(trx, checkpoints);
      await upsertAll(trx, READING_WINDOW_UPSERT, plan.windows);
      await upsertAll(trx, ALERT_EVENT_UPSERT, plan.alerts);
      await upsertAll(trx, INSTRUMENT_STATE_UPSERT, plan.instrumentStates);
      for (const d of plan.instrumentCheckpointDeletes)
        await trx.raw(
          `delete from ${qualified(schema, POSTGRES_TABLES.processorInstrumentCheckpoint)} ` +
            'where consumer_group = ? and topic = ? and partition = ? and instrument_key = any(?::text[])',
          [d.consumer_group, d.topic, d.partition, d.instrument_keys],
        );
      await upsertAll(trx, PROCESSOR_INSTRUMENT_CHECKPOINT_UPSERT, plan.instrumentCheckpoints);
      await upsertAll(trx, PROCESSOR_CHECKPOINT_UPSERT, plan.checkpoints);
    });
  }

  return {
    schema,

    migrate: () =>
      guarded('migrate', async () => {
        const applied = await migrateSerialised(knex, {
          schema,
          lockName: 'geostream-sinks:migrate',
          migrations: MIGRATIONS,
          tableName: MIGRATIONS_TABLE,
          after: (k) => grantOutputRoles(k, schema, settings),
        });
        if (applied.length > 0) logger.info({ schema, applied }, 'postgres migrations applied');
        await warnIfAutovacuumOff(knex, logger);
        return { schema, applied } satisfies MigrationResult;
      }),

    writeBatch: (batch: PostgresBatch) =>
      guarded('writeBatch', async () => {
        checkCheckpoints(batch);
        const plan = planBatch(batch);
        const empty = plan.windows.length + plan.alerts.length + plan.checkpoints.length === 0;
        if (!empty) await write(plan, batch.checkpoints ?? []);
        return {
          windows: plan.windows.length,
          alerts: plan.alerts.length,
          instrumentStates: plan.instrumentStates.length,
          checkpoints: plan.checkpoints.length,
          instrumentCheckpoints:
            plan.instrumentCheckpoints.length +
            plan.instrumentCheckpointDeletes.reduce((n, d) => n + d.instrument_keys.length, 0),
        } satisfies PostgresWriteResult;
      }),

    loadCheckpoint: (consumerGroup, topic, partition) =>
      guarded('loadCheckpoint', async () => {
        const where = { consumer_group: consumerGroup, topic, partition };
        // One snapshot of both tables: the partition row and its instruments agree.
        return knex.transaction(
          async (trx) => {
            const row = (await trx
              .withSchema(schema)
              .from(POSTGRES_TABLES.processorCheckpoint)
              .where(where)
              .first()) as CheckpointRow | undefined;
            if (row === undefined) return undefined;
            const instruments = (await trx
              .withSchema(schema)
              .from(POSTGRES_TABLES.processorInstrumentCheckpoint)
              .select('instrument_key', 'state')
              .where(where)
              .orderBy('instrument_key')) as { instrument_key: string; state: string }[];
            return toStoredCheckpoint(
              row,
              // Kept as JSON text (migration 0008): parsed here, one row at a time.
              instruments.map((i) => ({ key: i.instrument_key, state: JSON.parse(i.state) })),
            );
          },
          { isolationLevel: 'repeatable read', readOnly: true },
        );
      }),

    ping: () =>
      guarded('ping', async () => {
        await knex.raw('select 1');
      }),

    async close() {
      if (closed) return;
      closed = true;
      await knex.destroy();
    },
  };
}

/**
 * The sink rewrites rows in place all day (every changed instrument's checkpoint row at each
 * checkpoint, every instrument's overview row at each window) and the dashboard's plans rely
 * on fresh statistics. Without autovacuum the dead row versions and stale statistics pile up
 * unnoticed until queries slow down, so a server that has it off is named at start-up. At info,
 * not warn: a development or CI server may run without it on purpose (this machine's does), and
 * a start on a healthy stack logs no warning.
 */
async function warnIfAutovacuumOff(knex: Knex, logger: Logger): Promise<void> {
  const result = (await knex.raw("select current_setting('autovacuum') as autovacuum")) as {
    rows: { autovacuum: string }[];
  };
  if (result.rows[0]?.autovacuum === 'off')
    logger.info(
      { setting: 'autovacuum', value: 'off' },
      'PostgreSQL autovacuum is off: the checkpoint and instrument_state tables, rewritten at every checkpoint and window, will bloat and their statistics go stale; turn it on or VACUUM ANALYZE them on a schedule',
    );
}

function buildKnex(settings: ResolvedPostgresOptions, logger: Logger): Knex {
  return knexFactory({
    // knex prints to the console by default; its messages belong in our logs. Connection
    // errors are reported to the caller as SinkUnavailableError, so they are debug here.
    log: {
      debug: (message: unknown) => logger.debug({ knex: message }, 'knex'),
      warn: (message: unknown) => logger.debug({ knex: message }, 'knex warning'),
      error: (message: unknown) => logger.error({ knex: message }, 'knex error'),
      deprecate: (message: unknown) => logger.warn({ knex: message }, 'knex deprecation'),
    },
    client: 'pg',
    connection: {
      connectionString: settings.connectionString,
      application_name: 'geostream-sinks',
      connectionTimeoutMillis: settings.connectTimeoutMs,
      statement_timeout: settings.statementTimeoutMs,
      // Client-side too: a half-open connection never answers, so the server cannot time out.
      query_timeout: settings.statementTimeoutMs + 5_000,
      keepAlive: true,
    } as Knex.PgConnectionConfig,
    pool: { min: 0, max: settings.poolMax },
    acquireConnectionTimeout: settings.acquireTimeoutMs,
  });
}

function checkCheckpoints(batch: PostgresBatch): void {
  for (const checkpoint of batch.checkpoints ?? []) {
    const problems: string[] = [];
    if (typeof checkpoint.nextOffset !== 'string' || !/^\d{1,19}$/.test(checkpoint.nextOffset))
      problems.push(
        `nextOffset must be an int64 decimal string, got ${String(checkpoint.nextOffset)}`,
      );
    if (!Number.isInteger(checkpoint.partition) || checkpoint.partition < 0)
      problems.push(`partition must be an integer >= 0, got ${String(checkpoint.partition)}`);
    if (checkpoint.state === undefined) problems.push('state must be JSON, got undefined');
    if (problems.length > 0) {
      throw new SinkRejectedError({
        sink: 'postgres',
        operation: 'writeBatch',
        details: { problems, consumerGroup: checkpoint.consumerGroup, topic: checkpoint.topic },
        cause: new TypeError(`invalid checkpoint: ${problems.join('; ')}`),
      });
    }
  }
}

interface CheckpointRow {
  consumer_group: string;
  topic: string;
  partition: number;
  next_offset: string;
  state: unknown;
  updated_at: Date;
}

function toStoredCheckpoint(
  row: CheckpointRow,
  instruments: StoredCheckpoint['instruments'],
): StoredCheckpoint {
  return {
    instruments,
    consumerGroup: row.consumer_group,
    topic: row.topic,
    partition: row.partition,
    // int8 arrives as a decimal string from node-postgres: exact beyond 2^53.
    nextOffset: String(row.next_offset),
    state: row.state,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
