import type { Alert, WindowRecord } from '@geostream/instrument-schemas';
import type { AlarmChange } from '../alarms/alarm-listener';

/**
 * The live view's fan-out: events from the live source (Kafka) go to every connected browser.
 * Each event gets an id '<instance>.<sequence>'; a bounded buffer of recent events lets a
 * browser that reconnects with Last-Event-ID catch up on what it missed, when this same
 * instance still holds it. Otherwise (a restart, a long absence) the browser is told there is
 * a gap and reloads its views from the API.
 */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'down';

export type LivePayload =
  | { readonly kind: 'window'; readonly record: WindowRecord }
  | { readonly kind: 'alert'; readonly alert: Alert }
  | { readonly kind: 'alarm'; readonly alarm: AlarmChange }
  | { readonly kind: 'status'; readonly status: LiveStatus };

export interface LiveEvent {
  readonly id: string;
  readonly payload: LivePayload;
}

export type LiveListener = (event: LiveEvent) => void;

export type Replay =
  { readonly complete: true; readonly events: readonly LiveEvent[] } | { readonly complete: false };

export interface LiveFeed {
  readonly instanceId: string;
  status(): LiveStatus;
  subscribe(listener: LiveListener): () => void;
  /** Events after lastEventId, if they are all still buffered here. */
  replaySince(lastEventId: string): Replay;
}

export interface LiveHub extends LiveFeed {
  publish(payload: LivePayload): void;
  setStatus(status: LiveStatus): void;
  listenerCount(): number;
}

export function createLiveHub(options: {
  instanceId: string;
  bufferSize?: number;
  initialStatus?: LiveStatus;
}): LiveHub {
  const bufferSize = options.bufferSize ?? 1_000;
  const listeners = new Set<LiveListener>();
  const buffer: LiveEvent[] = [];
  let sequence = 0;
  let status: LiveStatus = options.initialStatus ?? 'off';
  const prefix = `${options.instanceId}.`;

  const publish = (payload: LivePayload): void => {
    sequence += 1;
    const event: LiveEvent = { id: `${prefix}${sequence}`, payload };
    buffer.push(event);
    if (buffer.length > bufferSize) buffer.shift();
    for (const listener of listeners) {
      // One broken connection must not stop the others from getting the event.
      try {
        listener(event);
      } catch {
        listeners.delete(listener);
      }
    }
  };

  return {
    instanceId: options.instanceId,
    status: () => status,
    setStatus(next) {
      if (next === status) return;
      status = next;
      publish({ kind: 'status', status: next });
    },
    publish,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listenerCount: () => listeners.size,
    replaySince(lastEventId) {
      if (!lastEventId.startsWith(prefix)) return { complete: false };
      const seen = Number(lastEventId.slice(prefix.length));
      if (!Number.isSafeInteger(seen) || seen < 0 || seen > sequence) return { complete: false };
      const oldest = buffer[0];
      const firstBuffered = oldest ? Number(oldest.id.slice(prefix.length)) : sequence + 1;
      if (seen + 1 < firstBuffered) return { complete: false };
      return {
        complete: true,
        events: buffer.filter((e) => Number(e.id.slice(prefix.length)) > seen),
      };
    },
  };
}
