import type { LiveAlert, LiveStatus, LiveWindow, TriggerLevel } from './types';

/**
 * The page's connection to /api/live (server-sent events) and what it has heard. EventSource
 * reconnects by itself when the stream drops (server restart, network); when the server
 * refuses the stream (e.g. it answered 401 or 502), EventSource gives up, so we open a new one
 * after a pause. `hello` says whether missed events were replayed; after a gap, views reload
 * from the API.
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'feed-down' | 'feed-off';

export interface LiveInstrument {
  readonly key: string;
  readonly window: LiveWindow;
  readonly level: TriggerLevel;
}

export interface LiveListeners {
  onState(state: ConnectionState): void;
  onWindow(window: LiveWindow): void;
  onAlert(alert: LiveAlert): void;
  /** An alarm changed (raised, cleared, acknowledged, shelved...), committed. */
  onAlarm?(change: { alarm_id: string; point: string; action: string; audit_id: string }): void;
  /** Events were missed (first connect, server restart, long absence): reload from the API. */
  onGap(): void;
}

export interface LiveStore {
  readonly windows: LiveWindow[];
  readonly alerts: LiveAlert[];
  /** Latest window per instrument seen live, with its level. */
  readonly instruments: Map<string, LiveInstrument>;
  /** When each alert arrived (ms), to highlight new ones. */
  readonly alertArrivals: Map<string, number>;
}

const KEEP_WINDOWS = 200;
const KEEP_ALERTS = 200;
const RETRY_AFTER_REFUSAL_MS = 3_000;

export function createLiveStore(): LiveStore {
  return { windows: [], alerts: [], instruments: new Map(), alertArrivals: new Map() };
}

export function connectLive(store: LiveStore, listeners: LiveListeners): void {
  let connectedOnce = false;
  let feed: LiveStatus = 'connecting';

  const stateFor = (source: EventSource): ConnectionState => {
    if (source.readyState !== EventSource.OPEN)
      return connectedOnce ? 'reconnecting' : 'connecting';
    if (feed === 'live' || feed === 'connecting') return 'live';
    return feed === 'off' ? 'feed-off' : 'feed-down';
  };

  const open = (): void => {
    const source = new EventSource('/api/live');
    source.addEventListener('hello', (event) => {
      const hello = JSON.parse((event as MessageEvent<string>).data) as {
        status: LiveStatus;
        replay: string;
      };
      feed = hello.status;
      if (hello.replay !== 'complete' && connectedOnce) listeners.onGap();
      connectedOnce = true;
      listeners.onState(stateFor(source));
    });
    source.addEventListener('status', (event) => {
      feed = (JSON.parse((event as MessageEvent<string>).data) as { status: LiveStatus }).status;
      listeners.onState(stateFor(source));
    });
    source.addEventListener('window', (event) => {
      const { record } = JSON.parse((event as MessageEvent<string>).data) as { record: LiveWindow };
      store.windows.unshift(record);
      store.windows.length = Math.min(store.windows.length, KEEP_WINDOWS);
      const key = `${record.instrument}:${record.borehole_number}`;
      const previous = store.instruments.get(key);
      if (!previous || previous.window.window_start <= record.window_start) {
        store.instruments.set(key, { key, window: record, level: record.trigger_level });
      }
      listeners.onWindow(record);
    });
    source.addEventListener('alert', (event) => {
      const { alert } = JSON.parse((event as MessageEvent<string>).data) as { alert: LiveAlert };
      if (store.alertArrivals.has(alert.id)) return; // at-least-once delivery: same id, same alert
      store.alertArrivals.set(alert.id, Date.now());
      store.alerts.unshift(alert);
      store.alerts.length = Math.min(store.alerts.length, KEEP_ALERTS);
      listeners.onAlert(alert);
    });
    source.addEventListener('alarm', (event) => {
      const { alarm } = JSON.parse((event as MessageEvent<string>).data) as {
        alarm: { alarm_id: string; point: string; action: string; audit_id: string };
      };
      listeners.onAlarm?.(alarm);
    });
    source.addEventListener('open', () => listeners.onState(stateFor(source)));
    source.addEventListener('error', () => {
      listeners.onState(connectedOnce ? 'reconnecting' : 'connecting');
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(open, RETRY_AFTER_REFUSAL_MS);
      }
    });
  };
  open();
}
