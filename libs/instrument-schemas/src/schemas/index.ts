import { AlertSchema } from './alert';
import { AlarmEventSchema } from './alarm-event';
import { DeadLetterSchema } from './dead-letter';
import { BatchEnvelopeSchema, ReadingSchema } from './reading';
import { SiteConfigSchema } from './site-config';
import { WindowRecordSchema } from './window-record';

/**
 * Every wire format as plain JSON Schema (draft-07 keywords, `format: 'date-time'` needs
 * ajv-formats, which fastify includes), by name: for fastify routes, OpenAPI and other
 * projects. `JSON.stringify(jsonSchemas.Reading)` gives the schema document.
 */
export const jsonSchemas = {
  Reading: ReadingSchema,
  BatchEnvelope: BatchEnvelopeSchema,
  WindowRecord: WindowRecordSchema,
  Alert: AlertSchema,
  AlarmEvent: AlarmEventSchema,
  DeadLetter: DeadLetterSchema,
  SiteConfig: SiteConfigSchema,
} as const;

export type JsonSchemaName = keyof typeof jsonSchemas;
