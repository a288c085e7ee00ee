import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { KafkaSettings } from './config/settings';
import { kafkaLogBridge } from './kafka-log-bridge';
import type { Logger } from './logger';

/**
 * Builds the kafkajs client from validated settings, sending its logs through our logger so one
 * format and one LOG_LEVEL cover everything (the errors of normal operation that kafkajs retries
 * by itself below error: see kafka-log-bridge). TLS and SASL pass straight through.
 */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ssl: settings.ssl === false ? false : settings.ssl === true ? true : { ...settings.ssl },
    ...(settings.sasl && { sasl: { ...settings.sasl } as never }),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10_000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogBridge(logger),
  });
}
