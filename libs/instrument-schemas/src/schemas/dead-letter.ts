import { Type, type Static } from '@sinclair/typebox';
import { REASON_CODES, type ReasonCode } from '../problems';
import { CANONICAL_TIMESTAMP_PATTERN } from './patterns';

export const DEAD_LETTER_SCHEMA_VERSION = 1;

export const ReasonCodeSchema = Type.Unsafe<ReasonCode>({
  type: 'string',
  enum: [...REASON_CODES],
});

export const ProblemSchema = Type.Object({
  code: ReasonCodeSchema,
  path: Type.String(),
  message: Type.String(),
});

/**
 * Input the pipeline could not use, kept whole so nothing is lost silently: the original bytes
 * (a whole Kafka message, or one item of a batch envelope), where they came from, and why.
 */
export const DeadLetterSchema = Type.Object(
  {
    schema_version: Type.Literal(DEAD_LETTER_SCHEMA_VERSION),
    id: Type.String({
      minLength: 1,
      description: "'topic:partition:offset', plus ':items[i]' for one envelope item",
    }),
    source: Type.Object({
      topic: Type.String({ minLength: 1 }),
      partition: Type.Integer({ minimum: 0 }),
      offset: Type.String({ pattern: '^\\d+$', description: 'Kafka offset (int64 as string)' }),
      key: Type.Union([Type.String(), Type.Null()], {
        description: 'the message key as UTF-8, if any',
      }),
    }),
    reason: ReasonCodeSchema,
    message: Type.String({ description: 'human-readable: every problem found' }),
    path: Type.String({ description: "where the first problem is ('' = the whole payload)" }),
    item_index: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    problems: Type.Array(ProblemSchema),
    payload_base64: Type.String({ description: 'the original bytes' }),
    payload_utf8: Type.Union([Type.String(), Type.Null()], {
      description: 'the original bytes as text, when they are valid printable UTF-8',
    }),
    payload_bytes: Type.Integer({ minimum: 0 }),
    payload_truncated: Type.Optional(
      Type.Boolean({
        description:
          'true when the dead letter was too large for its topic: payload_base64 then holds only ' +
          'the first bytes, payload_bytes and payload_sha256 describe the whole',
      }),
    ),
    payload_sha256: Type.Optional(
      Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the whole payload' }),
    ),
    dead_lettered_at: Type.String({ format: 'date-time', pattern: CANONICAL_TIMESTAMP_PATTERN }),
  },
  { title: 'DeadLetter', description: 'Rejected input with its reason (version 1).' },
);

export type DeadLetter = Static<typeof DeadLetterSchema>;
