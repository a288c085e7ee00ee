import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { INSTRUMENT_TYPES, type InstrumentType } from '@geostream/instrument-schemas';
import { POSTGRES_TABLES } from '@geostream/sinks/names';
import { BadRequestError } from '../errors';
import { WINDOW_COLUMNS } from '../history/history-query';
import { CSV_LIMITS_DESCRIPTION, CSV_RESPONSES, type CsvExports } from './csv-response';

/** Instruments one comparison may hold: a chart with more lines than this is unreadable. */
export const MAX_COMPARED = 12;

const InstrumentRef = Type.String({
  minLength: 3,
  maxLength: 230,
  description: '<type>:<instrument id>, e.g. piezometer:PZ-0042',
});

export const CompareCsvQuery = Type.Object(
  {
    instrument: Type.Array(InstrumentRef, {
      minItems: 1,
      maxItems: MAX_COMPARED,
      uniqueItems: true,
      description: 'repeat for each instrument',
    }),
    from: Type.String({
      format: 'date-time',
      maxLength: 40,
      description: 'window_start at or after',
    }),
    to: Type.String({ format: 'date-time', maxLength: 40, description: 'window_start before' }),
  },
  { additionalProperties: false },
);

/** `<type>:<id>` (ids may hold ':'; types never do), or a BadRequestError naming the bad one. */
export function parseInstrumentRef(ref: string): [InstrumentType, string] {
  const colon = ref.indexOf(':');
  const type = ref.slice(0, colon);
  const id = ref.slice(colon + 1);
  if (colon <= 0 || id === '' || !(INSTRUMENT_TYPES as readonly string[]).includes(type)) {
    throw new BadRequestError('invalid_instrument', [
      `instrument ${JSON.stringify(ref)}: expected <type>:<id> with a type of ${INSTRUMENT_TYPES.join(', ')}`,
    ]);
  }
  return [type as InstrumentType, id];
}

/**
 * The comparison's CSV: the windows of every compared instrument over the chart's time range,
 * with the history export's columns, one instrument after another (primary-key order, so each
 * instrument is an index range scan).
 */
export function registerCompareRoutes(
  app: FastifyInstance,
  { db, csvExports }: { readonly db: Knex; readonly csvExports: CsvExports },
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/compare.csv',
    {
      schema: {
        summary: 'The windows of several instruments over one time range, as CSV',
        description:
          'What the comparison chart shows, window by window, with the columns of /api/history.csv; ' +
          'by instrument, then window_start. ' +
          CSV_LIMITS_DESCRIPTION,
        tags: ['history'],
        querystring: CompareCsvQuery,
        produces: ['text/csv'],
        response: CSV_RESPONSES,
      },
    },
    async (request, reply) => {
      const instruments = request.query.instrument.map(parseInstrumentRef);
      const from = new Date(request.query.from);
      const to = new Date(request.query.to);
      if (from >= to) throw new BadRequestError('invalid_time_range', ['from must be before to']);
      const query = db(POSTGRES_TABLES.readingWindow)
        .select(WINDOW_COLUMNS)
        .whereIn(['instrument', 'borehole_number'], instruments)
        .where('window_start', '>=', from)
        .where('window_start', '<', to)
        .orderBy([
          { column: 'instrument', order: 'asc' },
          { column: 'borehole_number', order: 'asc' },
          { column: 'window_start', order: 'asc' },
        ]);
      await csvExports.sendQueryAsCsv(request, reply, {
        query,
        filename: 'geostream-comparison.csv',
      });
    },
  );
}
