import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { INSTRUMENT_SPECS, INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import type { ActiveAlarmSummary } from '../alarms/alarm-query';
import { requireRole } from '../auth/require-role';
import { BadRequestError } from '../errors';
import type { StalenessPolicy } from '../overview/staleness';
import { CURRENT_STATES } from '../plan/current-state';
import { toPlanColumns } from '../plan/plan-columns';
import { queryPlanPage } from '../plan/plan-query';
import { UNDERLAY_LIMITS, inspectUnderlayImage } from '../plan/underlay-image';
import { createUsualIntervals } from '../plan/usual-intervals';
import {
  placementTransform,
  type AffineTransform,
  type ControlPoint,
  type Placement,
} from '../plan/underlay-placement';
import {
  deleteUnderlay,
  findUnderlay,
  insertUnderlay,
  listUnderlays,
  readUnderlayImage,
  updateUnderlay,
  type UnderlayMeta,
} from '../plan/underlay-store';
import {
  NewUnderlayBody,
  PlanInstrumentsQuery,
  PlanPageSchema,
  UnderlayChangeBody,
  UnderlayIdParams,
  UnderlaySchema,
} from './plan-schemas';
import { NoQuery, errorResponses } from './schemas';

export interface PlanRouteDeps {
  /** Read-only: every GET. */
  readonly db: Knex;
  /** The drawings writer (src/database.ts): the admin routes' writes, plan_underlay alone. */
  readonly drawings: Knex;
  readonly clock: () => number;
  readonly staleness: StalenessPolicy;
  /** The instruments' active alarms (the app schema); absent without operations. */
  readonly activeAlarms?: (nowMs: number) => Promise<ReadonlyMap<string, ActiveAlarmSummary>>;
}

/**
 * A drawing opened on its own (not through the plan's <img>) is a document: nothing in it may
 * run or load anything. SVG drawings are checked on upload (svg-inspection); this is the second
 * wall.
 */
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/** How old the plan's usual intervals may get before a background refresh (usual-intervals.ts). */
const USUAL_INTERVAL_MAX_AGE_MS = 60_000;

const UNITS = Object.fromEntries(INSTRUMENT_TYPES.map((t) => [t, INSTRUMENT_SPECS[t].unit]));

const withErrors = {
  ...errorResponses,
  403: Type.Ref('ErrorResponse'),
  404: Type.Ref('ErrorResponse'),
} as const;

function notFound(id: string): BadRequestError {
  return new BadRequestError('underlay_not_found', [`no site drawing ${id}`], 404);
}

/** The placement in a request: exactly one of the two ways, or undefined when neither. */
function placementOf(body: {
  controlPoints?: Array<{ image: [number, number]; site: [number, number] }>;
  transform?: number[];
}): Placement | undefined {
  if (body.controlPoints !== undefined && body.transform !== undefined) {
    throw new BadRequestError('invalid_placement', ['give controlPoints or transform, not both']);
  }
  if (body.controlPoints !== undefined) {
    return { controlPoints: body.controlPoints as unknown as [ControlPoint, ControlPoint] };
  }
  if (body.transform !== undefined) {
    return { transform: body.transform as unknown as AffineTransform };
  }
  return undefined;
}

/** Strict base64 (no data: prefix, no line breaks): a sloppy encoding is a 400, not a bad image. */
function decodeBase64(text: string): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new BadRequestError('invalid_image', [
      'image: not base64 (send the file base64-encoded)',
    ]);
  }
  return Buffer.from(text, 'base64');
}

function withUrl(meta: UnderlayMeta) {
  return {
    ...meta,
    transform: [...meta.transform],
    control_points:
      meta.control_points?.map((point) => ({
        image: [...point.image] as [number, number],
        site: [...point.site] as [number, number],
      })) ?? null,
    image_url: `/api/plan/underlays/${meta.id}/image?v=${meta.image_sha256.slice(0, 16)}`,
  };
}

export function registerPlanRoutes(app: FastifyInstance, deps: PlanRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db, drawings } = deps;
  const usualIntervals = createUsualIntervals(db, {
    clock: deps.clock,
    maxAgeMs: USUAL_INTERVAL_MAX_AGE_MS,
    onError: (error) =>
      app.log.warn({ err: error }, 'usual intervals not refreshed; using the last ones'),
  });

  api.get(
    '/api/plan/instruments',
    {
      schema: {
        summary: 'Every instrument on the plan: position, worst current state, latest value',
        description:
          "A page of instruments in (type, id) order, as columns. Keyset paging: pass the previous page's " +
          'nextCursor as `after` until it is null. `state` is the worst current state ' +
          '(normal < clock_skew < no_data < alert < alarm < action; see the README).',
        tags: ['plan'],
        querystring: PlanInstrumentsQuery,
        response: { 200: PlanPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const now = deps.clock();
      const page = await queryPlanPage(
        db,
        {
          limit: request.query.limit ?? 5_000,
          ...(request.query.after !== undefined && { after: request.query.after }),
          ...(request.query.type !== undefined && { types: request.query.type }),
        },
        now,
        deps.staleness,
        await usualIntervals.current(),
        deps.activeAlarms === undefined ? undefined : await deps.activeAlarms(now),
      );
      return {
        generated_at: new Date(now),
        stale_multiplier: deps.staleness.multiplier,
        states: [...CURRENT_STATES],
        units: UNITS,
        count: page.instruments.length,
        nextCursor: page.nextCursor,
        columns: toPlanColumns(page.instruments),
      };
    },
  );

  api.get(
    '/api/plan/underlays',
    {
      schema: {
        summary: 'The site drawings drawn under the plan, oldest first (the newest lies on top)',
        tags: ['plan'],
        querystring: NoQuery,
        response: {
          200: Type.Object({ underlays: Type.Array(UnderlaySchema) }),
          ...errorResponses,
        },
      },
    },
    async () => ({ underlays: (await listUnderlays(db)).map(withUrl) }),
  );

  api.get(
    '/api/plan/underlays/:id/image',
    {
      schema: {
        summary: "A site drawing's image (PNG or SVG), served so that it can run nothing",
        tags: ['plan'],
        params: UnderlayIdParams,
        querystring: Type.Object(
          { v: Type.Optional(Type.String({ maxLength: 64, description: 'cache buster' })) },
          { additionalProperties: false },
        ),
        produces: ['image/png', 'image/svg+xml'],
        response: {
          200: { description: 'the image', content: { 'image/*': { schema: { type: 'string' } } } },
          304: Type.Null({ description: 'unchanged since the ETag given' }),
          ...withErrors,
        },
      },
    },
    async (request, reply) => {
      const stored = await readUnderlayImage(db, request.params.id);
      if (!stored) throw notFound(request.params.id);
      const etag = `"${stored.image_sha256}"`;
      reply
        .header('content-security-policy', IMAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', 'inline')
        .header('cache-control', 'private, no-cache')
        .header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return reply.type(stored.media_type).send(stored.image);
    },
  );

  api.post(
    '/api/plan/underlays',
    {
      preHandler: requireRole('admin'),
      bodyLimit: Math.ceil((UNDERLAY_LIMITS.maxBytes * 4) / 3) + 65_536,
      schema: {
        summary:
          'Add a site drawing (PNG or SVG) placed by two control points or an affine transform',
        description:
          'Admin only. The image is judged by its content: a PNG, or an SVG that is a static drawing ' +
          `(no script, no external reference). At most ${UNDERLAY_LIMITS.maxBytes} bytes.`,
        tags: ['plan'],
        querystring: NoQuery,
        body: NewUnderlayBody,
        response: { 201: UnderlaySchema, ...withErrors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const placement = placementOf(body);
      if (placement === undefined) {
        throw new BadRequestError('invalid_placement', [
          'give the placement: controlPoints (two) or transform (six numbers)',
        ]);
      }
      const image = decodeBase64(body.image);
      const inspected = inspectUnderlayImage(image);
      const transform = placementTransform(placement);
      const created = await insertUnderlay(drawings, {
        name: body.name,
        mediaType: inspected.mediaType,
        image,
        width: inspected.width,
        height: inspected.height,
        transform,
        controlPoints: 'controlPoints' in placement ? placement.controlPoints : null,
        opacity: body.opacity ?? 1,
      });
      request.log.info({ underlay: created.id, name: created.name }, 'site drawing added');
      return reply.code(201).send(withUrl(created));
    },
  );

  api.put(
    '/api/plan/underlays/:id',
    {
      preHandler: requireRole('admin'),
      schema: {
        summary: 'Rename a site drawing, change its opacity or its placement (not its image)',
        tags: ['plan'],
        params: UnderlayIdParams,
        querystring: NoQuery,
        body: UnderlayChangeBody,
        response: { 200: UnderlaySchema, ...withErrors },
      },
    },
    async (request) => {
      const placement = placementOf(request.body);
      if (!(await findUnderlay(drawings, request.params.id))) throw notFound(request.params.id);
      const updated = await updateUnderlay(drawings, request.params.id, {
        ...(request.body.name !== undefined && { name: request.body.name }),
        ...(request.body.opacity !== undefined && { opacity: request.body.opacity }),
        ...(placement !== undefined && {
          transform: placementTransform(placement),
          controlPoints: 'controlPoints' in placement ? placement.controlPoints : null,
        }),
      });
      if (!updated) throw notFound(request.params.id);
      return withUrl(updated);
    },
  );

  api.delete(
    '/api/plan/underlays/:id',
    {
      preHandler: requireRole('admin'),
      schema: {
        summary: 'Remove a site drawing',
        tags: ['plan'],
        params: UnderlayIdParams,
        querystring: NoQuery,
        response: { 204: Type.Null(), ...withErrors },
      },
    },
    async (request, reply) => {
      if (!(await deleteUnderlay(drawings, request.params.id))) throw notFound(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
