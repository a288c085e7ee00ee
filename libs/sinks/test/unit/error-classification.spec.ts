import { errors } from '@elastic/elasticsearch';
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { isRetriable } from '@geostream/platform';
import { SINK_ERROR_CODES, SinkRejectedError, SinkUnavailableError } from '../../src';
import { elasticsearchSinkError } from '../../src/elasticsearch/elasticsearch-errors';
import { kafkaSinkError } from '../../src/kafka/kafka-errors';
import { postgresSinkError } from '../../src/postgres/postgres-errors';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('PostgreSQL errors', () => {
  it.each(['08006', '57P01', '53300', '40001', '40P01', '57014', '55P03'])(
    'SQLSTATE %s is retriable (SinkUnavailableError)',
    (code) => {
      const error = postgresSinkError('writeBatch', pgError(code));
      expect(error).toBeInstanceOf(SinkUnavailableError);
      expect(isRetriable(error)).toBe(true);
      expect(error.details).toMatchObject({
        sink: 'postgres',
        operation: 'writeBatch',
        sqlState: code,
      });
    },
  );

  it.each(['23514', '22P02', '42P01', '23505'])(
    'SQLSTATE %s is permanent (SinkRejectedError)',
    (code) => {
      const error = postgresSinkError('writeBatch', pgError(code));
      expect(error).toBeInstanceOf(SinkRejectedError);
      expect(error.code).toBe(SINK_ERROR_CODES.rejected);
      expect(isRetriable(error)).toBe(false);
    },
  );

  it.each([
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    new Error('Connection terminated unexpectedly'),
    Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }),
  ])('connection failures are retriable: %s', (cause) => {
    const error = postgresSinkError('ping', cause);
    expect(error).toBeInstanceOf(SinkUnavailableError);
    expect(error.cause).toBe(cause);
  });
});

describe('Elasticsearch errors', () => {
  const response = (statusCode: number) =>
    new errors.ResponseError({
      statusCode,
      body: {},
      headers: {},
      warnings: null,
      meta: {} as never,
    });

  it.each([429, 502, 503, 504])('HTTP %i is retriable', (status) => {
    expect(elasticsearchSinkError('writeWindows', response(status))).toBeInstanceOf(
      SinkUnavailableError,
    );
  });

  it.each([400, 401, 403, 413])('HTTP %i is permanent', (status) => {
    const error = elasticsearchSinkError('writeWindows', response(status));
    expect(error).toBeInstanceOf(SinkRejectedError);
    expect(error.details).toMatchObject({ status, sink: 'elasticsearch' });
  });

  it('a dropped connection or timeout is retriable', () => {
    expect(
      elasticsearchSinkError('ping', new errors.ConnectionError('socket hang up')),
    ).toBeInstanceOf(SinkUnavailableError);
    expect(elasticsearchSinkError('ping', new errors.TimeoutError('timeout'))).toBeInstanceOf(
      SinkUnavailableError,
    );
  });
});

describe('Kafka errors', () => {
  it('a connection error is retriable, even after kafkajs ran out of retries', () => {
    const connection = new KafkaJSConnectionError('Connection error: ECONNREFUSED');
    expect(kafkaSinkError('write', connection)).toBeInstanceOf(SinkUnavailableError);
    const exhausted = new KafkaJSNumberOfRetriesExceeded(connection, {
      retryCount: 5,
      retryTime: 1,
    });
    expect(kafkaSinkError('write', exhausted)).toBeInstanceOf(SinkUnavailableError);
  });

  it('a non-retriable protocol error (message too large) is permanent', () => {
    const tooLarge = new KafkaJSProtocolError({
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
      message:
        'The request included a message larger than the max message size the server will accept',
    } as unknown as Error);
    const error = kafkaSinkError('write', tooLarge);
    expect(error).toBeInstanceOf(SinkRejectedError);
    expect(error.details).toMatchObject({ kafkaErrorType: 'MESSAGE_TOO_LARGE' });
  });
});
