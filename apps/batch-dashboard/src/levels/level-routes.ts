import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  IDENTIFIER_PATTERN,
  INSTRUMENT_TYPES,
  TriggerLevelsConfigSchema,
  TriggerThresholdsSchema,
  LEVEL_CHANGE_VERSION,
  parseTriggerLevelChange,
  type InstrumentType,
  type SiteConfig,
  type TriggerLevelsConfig,
} from '@geostream/instrument-schemas';
import { MAX_COMMENT_LENGTH } from '@geostream/alerting';
import type { LevelChangeStore } from '@geostream/sinks/app';
import { ErrorResponse, NoQuery } from '../api/schemas';
import { actingUser } from '../auth/principal';
import { requireRole } from '../auth/require-role';
import { BadRequestError } from '../errors';
import { effectiveSiteConfig } from './effective-levels';

export interface LevelRouteDeps {
  readonly store: LevelChangeStore;
  /** SITE_CONFIG_FILE's configuration (undefined: the library's levels). */
  readonly siteConfig: SiteConfig | undefined;
  readonly clock: () => number;
  /** Called after a change is recorded: the publisher writes it to the raw topic now. */
  readonly onChange: () => void;
}

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const ErrorRef = Type.Ref(ErrorResponse);
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, ErrorRef]));

/**
 * Levels as answered: TriggerLevelsConfigSchema without its "at least one band" anyOf, which
 * the response serialiser cannot use (the request body is checked with the full schema).
 */
const TriggerLevelsOut = Type.Object(
  {
    relative_to: Type.Optional(Type.Literal('surface_level')),
    rising: Type.Optional(TriggerThresholdsSchema),
    falling: Type.Optional(TriggerThresholdsSchema),
  },
  { additionalProperties: false },
);

const LevelChangeSchema = Type.Object({
  id: Type.String(),
  instrument: Type.Unsafe<InstrumentType>({ type: 'string', enum: [...INSTRUMENT_TYPES] }),
  borehole_number: Nullable(Type.String()),
  trigger_levels: Nullable(TriggerLevelsOut),
  changed_by: Type.String(),
  changed_at: Type.String({ format: 'date-time' }),
  comment: Type.String(),
  published: Type.Boolean({
    description: 'written to every partition of the raw topic; the processors apply it from there',
  }),
});

const BoreholeNumber = Type.String({ minLength: 1, maxLength: 200, pattern: IDENTIFIER_PATTERN });

/**
 * The admins' trigger levels: change them (a type's default or one instrument's), see the
 * history, download the configuration in force. A change is recorded (append-only) and queued
 * in one transaction; the publisher writes it to the raw topic, where each processor applies it
 * to the windows it closes from then on (see @geostream/instrument-schemas, level-changes).
 */
export function registerLevelRoutes(app: FastifyInstance, deps: LevelRouteDeps): void {
  const admin = { preHandler: requireRole('admin') };
  const tags = ['admin'];

  app.get(
    '/api/admin/level-changes',
    {
      ...admin,
      schema: {
        summary: 'Trigger-level changes, newest first, and the latest one of each scope',
        tags,
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            in_force: Type.Array(LevelChangeSchema, {
              description: 'the latest change of each scope (a return to the file included)',
            }),
            history: Type.Array(LevelChangeSchema),
            unpublished: Type.Integer({ description: 'changes not yet in the raw topic' }),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { limit, before } = request.query as { limit: number; before?: string };
      const [inForce, history, unpublished] = await Promise.all([
        deps.store.current(),
        deps.store.history({ limit, ...(before !== undefined && { beforeId: before }) }),
        deps.store.backlog(),
      ]);
      return { in_force: inForce, history, unpublished };
    },
  );

  app.post(
    '/api/admin/level-changes',
    {
      ...admin,
      schema: {
        summary:
          'Change the trigger levels of a type (no borehole_number) or of one instrument, ' +
          'or (back_to_file) go back to the site configuration file',
        tags,
        querystring: NoQuery,
        body: Type.Object(
          {
            instrument: Type.Unsafe<InstrumentType>({
              type: 'string',
              enum: [...INSTRUMENT_TYPES],
            }),
            // Absent: the type's default. Neither field takes null or '': the app coerces types,
            // and an empty form field must not turn one instrument's change into a type's.
            borehole_number: Type.Optional(BoreholeNumber),
            trigger_levels: Type.Optional(TriggerLevelsConfigSchema),
            back_to_file: Type.Optional(
              Type.Literal(true, { description: 'instead of trigger_levels: remove the change' }),
            ),
            comment: Type.String({ minLength: 1, maxLength: MAX_COMMENT_LENGTH }),
          },
          { additionalProperties: false },
        ),
        response: { 201: LevelChangeSchema, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        instrument: InstrumentType;
        borehole_number?: string;
        trigger_levels?: TriggerLevelsConfig;
        back_to_file?: true;
        comment: string;
      };
      const comment = body.comment.trim();
      if (comment === '' || comment.includes('\u0000'))
        throw new BadRequestError('invalid_comment', ['say why the levels change (plain text)']);
      if ((body.trigger_levels === undefined) === (body.back_to_file === undefined))
        throw new BadRequestError('levels_or_back_to_file', [
          'give either trigger_levels or back_to_file: true',
        ]);
      const changedBy = actingUser(request).username;
      const changedAt = new Date(deps.clock());
      const proposed = {
        instrument: body.instrument,
        borehole_number: body.borehole_number ?? null,
        trigger_levels: body.trigger_levels ?? null,
      };
      // The checks the processors apply to the record, so none refuses what was accepted here.
      const checked = parseTriggerLevelChange({
        version: LEVEL_CHANGE_VERSION,
        change_id: 1,
        ...proposed,
        changed_by: changedBy,
        changed_at: changedAt.toISOString(),
      });
      if (!checked.ok)
        throw new BadRequestError(
          'invalid_trigger_levels',
          checked.problems.map((p) => `${p.message} (${p.code})`),
        );
      const change = await deps.store.record({
        ...proposed,
        changed_by: changedBy,
        changed_at: changedAt,
        comment,
      });
      deps.onChange();
      return reply.code(201).send(change);
    },
  );

  app.get(
    '/api/admin/site-config',
    {
      ...admin,
      schema: {
        summary:
          'The site configuration in force: SITE_CONFIG_FILE with the changes laid over it ' +
          '(save it as the file before reprocessing from a log that no longer holds them)',
        tags,
        querystring: NoQuery,
        response: {
          200: Type.Object({}, { additionalProperties: true }),
          ...errors(401, 403),
        },
      },
    },
    async () =>
      (await effectiveSiteConfig(deps.siteConfig, deps.store)) ?? {
        version: 1,
        description: 'the library defaults: no SITE_CONFIG_FILE and no changes',
      },
  );
}
