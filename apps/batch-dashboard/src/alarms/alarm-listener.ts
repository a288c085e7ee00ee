import { Client } from 'pg';
import { abortableSleep, errorMessage, type Logger } from '@geostream/platform';
import type { LiveHub } from '../live/live-hub';

/** A committed alarm transition, as the alarm-manager and the dashboard NOTIFY it. */
export interface AlarmChange {
  readonly alarm_id: string;
  readonly point: string;
  readonly action: string;
  readonly audit_id: string;
}

/**
 * Relays committed alarm transitions (PostgreSQL LISTEN on the app schema's channel; NOTIFY is
 * sent in each transition's transaction, so only committed ones arrive) to the live hub, so
 * every open page sees a new alarm, an acknowledgement or a shelf within a moment, whoever made
 * it. One connection of its own, reconnected with backoff; while it is down the alarms page
 * still refreshes when it is opened.
 */
export function startAlarmListener(options: {
  readonly connectionString: string;
  readonly channel: string;
  readonly hub: LiveHub;
  readonly logger: Logger;
}): { readonly ready: Promise<void>; stop(): Promise<void> } {
  const log = options.logger.child({ component: 'alarm-listener' });
  const stopping = new AbortController();
  let client: Client | undefined;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      const c = new Client({
        connectionString: options.connectionString,
        application_name: 'batch-dashboard-alarms',
      });
      client = c;
      const ended = new Promise<void>((resolve) => {
        c.on('end', resolve);
        c.on('error', (error) => {
          log.warn({ err: errorMessage(error) }, 'alarm listener connection lost');
          resolve();
        });
      });
      try {
        await c.connect();
        c.on('notification', (message) => {
          if (message.channel !== options.channel || message.payload === undefined) return;
          try {
            const alarm = JSON.parse(message.payload) as AlarmChange;
            options.hub.publish({ kind: 'alarm', alarm });
          } catch (error) {
            log.warn({ err: errorMessage(error) }, 'alarm notification ignored: not JSON');
          }
        });
        await c.query(`listen "${options.channel.replace(/"/g, '""')}"`);
        failures = 0;
        resolveReady();
        await ended;
      } catch (error) {
        log.warn({ err: errorMessage(error) }, 'alarm listener cannot connect; retrying');
      }
      await c.end().catch(() => undefined);
      if (stopping.signal.aborted) break;
      await abortableSleep(Math.min(30_000, 500 * 2 ** failures++), stopping.signal).catch(
        () => undefined,
      );
    }
  }

  const done = run();
  return {
    ready,
    async stop() {
      stopping.abort();
      await client?.end().catch(() => undefined);
      await done;
    },
  };
}
