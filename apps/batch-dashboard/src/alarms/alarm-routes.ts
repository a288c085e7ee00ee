import { randomBytes } from 'node:crypto';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import {
  ALARM_STATES,
  AUDIT_ACTIONS,
  DEFAULT_MAX_SHELVE_MS,
  MAX_COMMENT_LENGTH,
  type AuditAction,
} from '@geostream/alerting';
import {
  ALARM_CONDITIONS,
  INSTRUMENT_TYPES,
  TRIGGER_DIRECTIONS,
  TRIGGER_LEVELS,
  type AlarmCondition,
  type InstrumentType,
} from '@geostream/instrument-schemas';
import type { AlarmStore } from '@geostream/sinks/app';
import {
  APP_TABLES,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_STATUSES,
  type NotificationChannel,
  type NotificationStatus,
} from '@geostream/sinks/names';
import { ErrorResponse, NoQuery } from '../api/schemas';
import { actingUser } from '../auth/principal';
import { requireRole } from '../auth/require-role';
import { BadRequestError } from '../errors';
import { actOnAlarm, type PersonAction } from './alarm-actions';
import {
  ALARM_STATE_FILTERS,
  alarmListQuery,
  alarmsByIds,
  type AlarmStateFilter,
} from './alarm-query';
import { CSV_LIMITS_DESCRIPTION, CSV_RESPONSES, type CsvExports } from '../api/csv-response';
import { AUDIT_COLUMNS, auditQuery } from './audit-query';
import { ROUTE_COLUMNS, notificationCounts, notificationQuery } from './notification-query';

export interface AlarmRouteDeps {
  /** knex on the app schema, as the app role. */
  readonly db: Knex;
  readonly store: AlarmStore;
  /** CSV exports on the app schema's pool (the history's limits, slots of that pool). */
  readonly csvExports: CsvExports;
  readonly clock: () => number;
  /** The longest shelf (ISA-18.2: shelving is temporary). */
  readonly maxShelveMs?: number;
}

const enumOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
const ErrorRef = Type.Ref(ErrorResponse);
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, ErrorRef]));
const AlarmId = Type.String({ minLength: 1, maxLength: 1000 });
const Comment = Type.String({ maxLength: MAX_COMMENT_LENGTH });
const Borehole = Type.String({ minLength: 1, maxLength: 200 });
const Limit = (max: number, fallback: number) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: fallback }));
const IdCursor = Type.Optional(
  Type.String({ pattern: '^[0-9]{1,19}$', description: 'nextCursor of the previous page' }),
);

const AlarmSchema = Type.Object(
  {
    alarm_id: Type.String(),
    point: Type.String(),
    condition: enumOf(ALARM_CONDITIONS),
    instrument: enumOf(INSTRUMENT_TYPES),
    borehole_number: Type.String(),
    direction: Nullable(enumOf(TRIGGER_DIRECTIONS)),
    state: enumOf(ALARM_STATES),
    level: enumOf(TRIGGER_LEVELS),
    peak_level: enumOf(TRIGGER_LEVELS),
    raised_at: DateTime,
    cleared_at: Nullable(DateTime),
    acknowledged_by: Nullable(Type.String()),
    acknowledged_at: Nullable(DateTime),
    shelved_until: Nullable(DateTime),
    shelved_by: Nullable(Type.String()),
    shelved_reason: Nullable(Type.String()),
    updated_at: DateTime,
    value: Nullable(Type.Number()),
    threshold: Nullable(Type.Number()),
    unit: Nullable(Type.String()),
  },
  { $id: 'Alarm', title: 'Alarm' },
);

const AuditEntrySchema = Type.Object(
  {
    id: Type.String({ description: 'bigint: the order entries were recorded in' }),
    at: DateTime,
    actor: Type.String({ description: "a user name, or 'system' for the pipeline" }),
    action: enumOf(AUDIT_ACTIONS),
    alarm_id: Type.String(),
    condition: enumOf(ALARM_CONDITIONS),
    instrument: enumOf(INSTRUMENT_TYPES),
    borehole_number: Type.String(),
    from_state: Nullable(enumOf(ALARM_STATES)),
    to_state: enumOf(ALARM_STATES),
    from_level: enumOf(TRIGGER_LEVELS),
    to_level: enumOf(TRIGGER_LEVELS),
    shelved_until: Nullable(DateTime),
    comment: Nullable(Type.String()),
    event_id: Nullable(Type.String()),
    recorded_at: DateTime,
  },
  { $id: 'AuditEntry', title: 'AuditEntry' },
);

export const alarmSchemas: readonly TSchema[] = [AlarmSchema, AuditEntrySchema];

const ActionResult = Type.Object({
  alarm_id: Type.String(),
  audit_id: Type.String(),
  state: enumOf(ALARM_STATES),
  shelved_until: Nullable(Type.String({ format: 'date-time' })),
});

const AuditFilterQuery = {
  alarm_id: Type.Optional(AlarmId),
  type: Type.Optional(enumOf(INSTRUMENT_TYPES)),
  borehole: Type.Optional(Borehole),
  action: Type.Optional(enumOf(AUDIT_ACTIONS)),
  by: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
};

export interface AuditQueryParams {
  alarm_id?: string;
  type?: InstrumentType;
  borehole?: string;
  action?: AuditAction;
  by?: string;
  from?: string;
  to?: string;
}

export function auditFilterOf(query: AuditQueryParams, beforeId?: string) {
  const from = query.from === undefined ? undefined : new Date(query.from);
  const to = query.to === undefined ? undefined : new Date(query.to);
  if (from !== undefined && to !== undefined && from >= to)
    throw new BadRequestError('invalid_range', ['from must be before to']);
  return {
    ...(query.alarm_id !== undefined && { alarmId: query.alarm_id }),
    ...(query.type !== undefined && { type: query.type }),
    ...(query.borehole !== undefined && { borehole: query.borehole }),
    ...(query.action !== undefined && { action: query.action }),
    ...(query.by !== undefined && { by: query.by }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    ...(beforeId !== undefined && { beforeId }),
  };
}

export function registerAlarmRoutes(app: FastifyInstance, deps: AlarmRouteDeps): void {
  const { db, store, clock } = deps;
  const tags = ['alarms'];
  for (const schema of alarmSchemas) app.addSchema(schema);

  app.get(
    '/api/alarms',
    {
      schema: {
        summary: 'Alarms, most urgent first (unacknowledged, highest level, newest)',
        tags,
        querystring: Type.Object(
          {
            state: Type.Optional(
              Type.Unsafe<AlarmStateFilter>({
                type: 'string',
                enum: [...ALARM_STATE_FILTERS],
                default: 'open',
                description: 'open (default): not closed, or shelved; all; or one state',
              }),
            ),
            condition: Type.Optional(enumOf(ALARM_CONDITIONS)),
            type: Type.Optional(enumOf(INSTRUMENT_TYPES)),
            borehole: Type.Optional(Borehole),
            limit: Limit(500, 200),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ generated_at: DateTime, alarms: Type.Array(Type.Ref(AlarmSchema)) }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const q = request.query as {
        state: AlarmStateFilter;
        condition?: AlarmCondition;
        type?: InstrumentType;
        borehole?: string;
        limit: number;
      };
      const now = clock();
      const alarms = await alarmListQuery(db, { ...q }, now);
      return { generated_at: new Date(now), alarms };
    },
  );

  app.get(
    '/api/alarm',
    {
      schema: {
        summary: 'One alarm occurrence and its audit entries',
        tags,
        querystring: Type.Object({ id: AlarmId }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            alarm: Nullable(Type.Ref(AlarmSchema)),
            audit: Type.Array(Type.Ref(AuditEntrySchema)),
          }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const { id } = request.query as { id: string };
      const [alarm] = (await alarmsByIds(db, [id])) as unknown[];
      const audit = (await auditQuery(db, { alarmId: id }).limit(1_000)) as unknown[];
      if (alarm === undefined && audit.length === 0)
        throw new BadRequestError('unknown_alarm', [`no alarm ${id}`], 404);
      return { alarm: alarm ?? null, audit };
    },
  );

  const engineer = { preHandler: requireRole('engineer') };
  const act = (
    name: PersonAction['kind'],
    summary: string,
    body: TSchema,
    actionOf: (body: Record<string, string>) => PersonAction,
  ) =>
    app.post(
      `/api/alarms/${name}`,
      {
        ...engineer,
        schema: {
          summary,
          tags,
          querystring: NoQuery,
          body,
          response: { 200: ActionResult, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const user = actingUser(request);
        const input = request.body as Record<string, string>;
        const alarmId = input['alarm_id'] as string;
        const done = await actOnAlarm(store, alarmId, user.username, clock(), actionOf(input), {
          maxShelveMs: deps.maxShelveMs ?? DEFAULT_MAX_SHELVE_MS,
        });
        request.log.info({ by: user.username, alarmId, action: name }, 'alarm action');
        return {
          alarm_id: alarmId,
          audit_id: done.auditId,
          state: done.lifecycle.state,
          shelved_until: done.lifecycle.shelved?.until ?? null,
        };
      },
    );
  const withComment = (required: boolean) =>
    Type.Object(
      { alarm_id: AlarmId, comment: required ? Comment : Type.Optional(Comment) },
      { additionalProperties: false },
    );
  const optionalComment = (body: Record<string, string>) =>
    body['comment'] === undefined ? {} : { comment: body['comment'] };

  act('acknowledge', 'Acknowledge an alarm (engineer)', withComment(false), (b) => ({
    kind: 'acknowledge',
    ...optionalComment(b),
  }));
  act('comment', 'Comment on an alarm, current or past (engineer)', withComment(true), (b) => ({
    kind: 'comment',
    comment: b['comment'] ?? '',
  }));
  act('unshelve', 'End a shelf early (engineer)', withComment(false), (b) => ({
    kind: 'unshelve',
    ...optionalComment(b),
  }));
  act(
    'shelve',
    'Shelve an alarm point until a time, with a reason (engineer)',
    Type.Object(
      {
        alarm_id: AlarmId,
        until: Type.String({ format: 'date-time', maxLength: 40 }),
        reason: Type.String({ maxLength: MAX_COMMENT_LENGTH }),
        comment: Type.Optional(Comment),
      },
      { additionalProperties: false },
    ),
    (b) => ({
      kind: 'shelve',
      untilMs: Date.parse(b['until'] as string),
      reason: b['reason'] ?? '',
      ...optionalComment(b),
    }),
  );

  app.get(
    '/api/audit',
    {
      schema: {
        summary: 'The audit log, newest first, keyset-paged',
        tags,
        querystring: Type.Object(
          { ...AuditFilterQuery, limit: Limit(500, 100), before: IdCursor },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            entries: Type.Array(Type.Ref(AuditEntrySchema)),
            nextCursor: Nullable(Type.String()),
          }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const q = request.query as AuditQueryParams & { limit: number; before?: string };
      const rows = (await auditQuery(db, auditFilterOf(q, q.before)).limit(q.limit + 1)) as Array<{
        id: string;
      }>;
      const entries = rows.slice(0, q.limit);
      const last = entries.at(-1);
      return {
        entries,
        nextCursor: rows.length > q.limit && last !== undefined ? String(last.id) : null,
      };
    },
  );

  app.get(
    '/api/audit.csv',
    {
      schema: {
        summary: 'The audit log as CSV (the same filters), newest first, streamed',
        description: CSV_LIMITS_DESCRIPTION,
        tags,
        produces: ['text/csv'],
        querystring: Type.Object(
          {
            ...AuditFilterQuery,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
          },
          { additionalProperties: false },
        ),
        response: CSV_RESPONSES,
      },
    },
    async (request, reply) => {
      const q = request.query as AuditQueryParams & { limit?: number };
      await deps.csvExports.sendQueryAsCsv(request, reply, {
        query: auditQuery(db, auditFilterOf(q)),
        filename: 'geostream-audit.csv',
        columns: AUDIT_COLUMNS,
        ...(q.limit !== undefined && { limit: q.limit }),
      });
    },
  );

  app.get(
    '/api/notifications',
    {
      schema: {
        summary: 'Notifications: what was sent, what waits, what is failing (newest first)',
        tags,
        querystring: Type.Object(
          {
            status: Type.Optional(enumOf(NOTIFICATION_STATUSES)),
            limit: Limit(500, 100),
            before: IdCursor,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            counts: Type.Object(
              Object.fromEntries(NOTIFICATION_STATUSES.map((s) => [s, Type.Integer()])),
            ),
            notifications: Type.Array(
              Type.Object({
                id: Type.String(),
                created_at: DateTime,
                alarm_id: Type.String(),
                audit_id: Type.String(),
                route_name: Type.String(),
                channel: enumOf(NOTIFICATION_CHANNELS),
                target: Type.String(),
                status: enumOf(NOTIFICATION_STATUSES),
                attempts: Type.Integer(),
                last_attempt_at: Nullable(DateTime),
                next_attempt_at: DateTime,
                sent_at: Nullable(DateTime),
                last_error: Nullable(Type.String()),
                idempotency_key: Type.String(),
              }),
            ),
            nextCursor: Nullable(Type.String()),
          }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const q = request.query as { status?: NotificationStatus; limit: number; before?: string };
      const rows = (await notificationQuery(db, {
        ...(q.status !== undefined && { status: q.status }),
        ...(q.before !== undefined && { beforeId: q.before }),
        limit: q.limit + 1,
      })) as Array<{ id: string }>;
      const page = rows.slice(0, q.limit);
      return {
        counts: await notificationCounts(db),
        notifications: page,
        nextCursor: rows.length > q.limit ? String(page.at(-1)?.id) : null,
      };
    },
  );

  // ---- admin: notification routes

  const RouteSchema = Type.Object({
    id: Type.String(),
    name: Type.String(),
    channel: enumOf(NOTIFICATION_CHANNELS),
    target: Type.String(),
    min_level: enumOf(TRIGGER_LEVELS),
    conditions: Nullable(Type.Array(enumOf(ALARM_CONDITIONS))),
    instrument_types: Nullable(Type.Array(enumOf(INSTRUMENT_TYPES))),
    actions: Type.Array(enumOf(AUDIT_ACTIONS)),
    enabled: Type.Boolean(),
    created_by: Type.String(),
    created_at: DateTime,
  });
  const admin = { preHandler: requireRole('admin') };
  const adminTags = ['admin'];

  app.get(
    '/api/admin/notification-routes',
    {
      ...admin,
      schema: {
        summary: 'Who is told of what (webhook secrets are never shown again)',
        tags: adminTags,
        querystring: NoQuery,
        response: { 200: Type.Array(RouteSchema), ...errors(401, 403) },
      },
    },
    async () =>
      db(APP_TABLES.notificationRoute)
        .select(...ROUTE_COLUMNS)
        .orderBy('id'),
  );

  app.post(
    '/api/admin/notification-routes',
    {
      ...admin,
      schema: {
        summary:
          'Add an e-mail list or a webhook (a webhook gets a new signing secret, shown once)',
        tags: adminTags,
        querystring: NoQuery,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            channel: enumOf(NOTIFICATION_CHANNELS),
            target: Type.String({ minLength: 1, maxLength: 2000 }),
            min_level: Type.Optional(enumOf(['alert', 'alarm', 'action'] as const)),
            conditions: Type.Optional(
              Type.Array(enumOf(ALARM_CONDITIONS), { minItems: 1, uniqueItems: true }),
            ),
            instrument_types: Type.Optional(
              Type.Array(enumOf(INSTRUMENT_TYPES), { minItems: 1, uniqueItems: true }),
            ),
            actions: Type.Optional(
              Type.Array(enumOf(AUDIT_ACTIONS), { minItems: 1, uniqueItems: true }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ route: RouteSchema, secret: Nullable(Type.String()) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        name: string;
        channel: NotificationChannel;
        target: string;
        min_level?: string;
        conditions?: string[];
        instrument_types?: string[];
        actions?: string[];
      };
      const problem = targetProblem(body.channel, body.target);
      if (problem !== undefined) throw new BadRequestError('invalid_target', [problem]);
      const secret = body.channel === 'webhook' ? randomBytes(32).toString('base64url') : null;
      const [route] = (await db(APP_TABLES.notificationRoute)
        .insert({
          name: body.name,
          channel: body.channel,
          target: body.target.trim(),
          secret,
          min_level: body.min_level ?? 'alert',
          conditions: body.conditions ?? null,
          instrument_types: body.instrument_types ?? null,
          actions: body.actions ?? ['raise', 'clear'],
          created_by: actingUser(request).username,
        })
        .returning([...ROUTE_COLUMNS])) as unknown[];
      return reply.code(201).send({ route, secret });
    },
  );

  app.delete(
    '/api/admin/notification-routes/:id',
    {
      ...admin,
      schema: {
        summary: 'Remove a route (what it sent stays listed)',
        tags: adminTags,
        querystring: NoQuery,
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,19}$' }) }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if ((await db(APP_TABLES.notificationRoute).where({ id }).delete()) === 0)
        throw new BadRequestError('unknown_route', [`no route ${id}`], 404);
      return reply.code(204).send();
    },
  );
}

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+\.[^\s@,<>]+$/;

function targetProblem(channel: NotificationChannel, target: string): string | undefined {
  if (channel === 'email') {
    const addresses = target.split(',').map((a) => a.trim());
    const bad = addresses.filter((a) => !EMAIL.test(a));
    return bad.length === 0 ? undefined : `not e-mail addresses: ${bad.join(', ')}`;
  }
  try {
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? undefined
      : 'a webhook is an http(s) URL';
  } catch {
    return 'a webhook is an http(s) URL';
  }
}
