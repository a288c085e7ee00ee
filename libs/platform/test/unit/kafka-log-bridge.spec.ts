import { createRequire } from 'node:module';
import { logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../../src';
import { RETRIED_ERRORS, kafkaLogBridge, kafkaLogLevel } from '../../src/kafka-log-bridge';

// kafkajs' protocol error table (not part of its typed API): the source of the messages it logs.
const { errorCodes } = createRequire(__filename)('kafkajs/src/protocol/error') as {
  errorCodes: Array<{ type: string; message: string; retriable: boolean }>;
};
const messageOf = (type: string) => errorCodes.find((e) => e.type === type)?.message;

/** A log entry as kafkajs' connection writes it for an error response. */
const response = (level: logLevel, error: string, request = 'Heartbeat(key: 12, version: 3)') => ({
  level,
  log: {
    timestamp: '2026-11-25T13:45:14.839Z',
    message: `Response ${request}`,
    broker: '127.0.0.1:9092',
    clientId: 'geostream',
    error,
    correlationId: 9,
    size: 10,
  },
});

describe('kafkaLogLevel', () => {
  it('knows each retried error by the message kafkajs logs for it', () => {
    for (const [type, { message }] of Object.entries(RETRIED_ERRORS))
      expect([type, message]).toEqual([type, messageOf(type)]);
  });

  it('writes a rebalance (the error response and the rejoin) at info', () => {
    const rebalancing = RETRIED_ERRORS['REBALANCE_IN_PROGRESS']?.message ?? '';
    expect(kafkaLogLevel(response(logLevel.ERROR, rebalancing))).toBe('info');
    expect(
      kafkaLogLevel({
        level: logLevel.WARN,
        log: {
          timestamp: '',
          message: 'The group is rebalancing, re-joining',
          groupId: 'stream-processor',
          memberId: 'm-1',
          error: rebalancing,
        },
      }),
    ).toBe('info');
  });

  it.each([
    'NOT_COORDINATOR_FOR_GROUP',
    'GROUP_LOAD_IN_PROGRESS',
    'GROUP_COORDINATOR_NOT_AVAILABLE',
    'UNKNOWN_TOPIC_OR_PARTITION',
  ])('writes a %s response, which kafkajs retries, at warn', (type) => {
    expect(kafkaLogLevel(response(logLevel.ERROR, messageOf(type) ?? ''))).toBe('warn');
    expect(kafkaLogLevel(response(logLevel.WARN, messageOf(type) ?? ''))).toBe('warn');
  });

  it.each(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE'])(
    'writes a %s response (a leader moving, or a new topic not yet taken on) at info',
    (type) => {
      const listOffsets = 'ListOffsets(key: 2, version: 3)';
      expect(kafkaLogLevel(response(logLevel.ERROR, messageOf(type) ?? '', listOffsets))).toBe(
        'info',
      );
      expect(kafkaLogLevel(response(logLevel.DEBUG, messageOf(type) ?? '', listOffsets))).toBe(
        'debug',
      );
    },
  );

  it('writes a CONCURRENT_TRANSACTIONS response, a normal wait between transactions, at info', () => {
    const concurrent = messageOf('CONCURRENT_TRANSACTIONS') ?? '';
    expect(kafkaLogLevel(response(logLevel.ERROR, concurrent))).toBe('info');
    expect(kafkaLogLevel(response(logLevel.WARN, concurrent))).toBe('info');
    expect(kafkaLogLevel(response(logLevel.DEBUG, concurrent))).toBe('debug');
    // The producer's line after the response, which names the error only in its message.
    const failedSend = {
      level: logLevel.ERROR,
      log: {
        timestamp: '',
        message: `Failed to send messages: ${concurrent}`,
        retryCount: 0,
        retryTime: 201,
      },
    };
    expect(kafkaLogLevel(failedSend)).toBe('info');
    const tooLarge = `Failed to send messages: ${messageOf('MESSAGE_TOO_LARGE') ?? ''}`;
    expect(
      kafkaLogLevel({ level: logLevel.ERROR, log: { timestamp: '', message: tooLarge } }),
    ).toBe('error');
  });

  it('keeps every other entry at kafkajs level, and never raises one', () => {
    const tooLarge = messageOf('MESSAGE_TOO_LARGE') ?? '';
    expect(kafkaLogLevel(response(logLevel.ERROR, tooLarge, 'Produce(key: 0, version: 7)'))).toBe(
      'error',
    );
    expect(kafkaLogLevel(response(logLevel.ERROR, messageOf('UNKNOWN_MEMBER_ID') ?? ''))).toBe(
      'error',
    );
    expect(
      kafkaLogLevel({
        level: logLevel.ERROR,
        log: { timestamp: '', message: 'Connection timeout' },
      }),
    ).toBe('error');
    const rebalancing = messageOf('REBALANCE_IN_PROGRESS') ?? '';
    expect(kafkaLogLevel(response(logLevel.INFO, rebalancing))).toBe('info');
    expect(kafkaLogLevel(response(logLevel.DEBUG, rebalancing))).toBe('debug');
    expect(kafkaLogLevel({ level: logLevel.WARN, log: { timestamp: '', message: 'w' } })).toBe(
      'warn',
    );
    expect(kafkaLogLevel({ level: logLevel.INFO, log: { timestamp: '', message: 'i' } })).toBe(
      'info',
    );
    expect(kafkaLogLevel({ level: logLevel.DEBUG, log: { timestamp: '', message: 'd' } })).toBe(
      'debug',
    );
  });
});

describe('kafkaLogBridge', () => {
  it('writes each entry through the logger at its level, as component kafkajs, message apart', () => {
    const written: Array<[string, Record<string, unknown>, string]> = [];
    const child = Object.fromEntries(
      ['error', 'warn', 'info', 'debug'].map((level) => [
        level,
        (extra: Record<string, unknown>, message: string) => written.push([level, extra, message]),
      ]),
    );
    const bindings: unknown[] = [];
    const logger = {
      child: (b: unknown) => (bindings.push(b), child),
    } as unknown as Logger;
    const log = kafkaLogBridge(logger)(logLevel.INFO);
    const entry = response(logLevel.ERROR, messageOf('REBALANCE_IN_PROGRESS') ?? '');
    log({ namespace: 'Connection', label: 'ERROR', ...entry } as LogEntry);
    log({
      namespace: 'Connection',
      label: 'ERROR',
      ...response(logLevel.ERROR, 'boom'),
    } as LogEntry);
    expect(bindings).toEqual([{ component: 'kafkajs' }]);
    expect(written.map(([level, extra, message]) => [level, extra['error'], message])).toEqual([
      ['info', messageOf('REBALANCE_IN_PROGRESS'), 'Response Heartbeat(key: 12, version: 3)'],
      ['error', 'boom', 'Response Heartbeat(key: 12, version: 3)'],
    ]);
    expect(written[0]?.[1]).not.toHaveProperty('message');
  });
});
