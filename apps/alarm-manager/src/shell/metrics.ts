import { Counter, Gauge, type Registry } from 'prom-client';

/** The alarm-manager's Prometheus metrics (counts of this process's work). */
export interface AlarmManagerMetrics {
  /** Events read, by outcome: applied, ignored, parked, late, duplicate, invalid. */
  readonly events: Counter<'outcome'>;
  /** Transitions written, by action (raise, clear, acknowledge by the dashboard not included). */
  readonly transitions: Counter<'action'>;
  /** Notification attempts by channel and outcome: sent, failing (will retry), failed. */
  readonly notifications: Counter<'channel' | 'outcome'>;
  /** Documents indexed in Elasticsearch, and refused for good. */
  readonly indexed: Counter<'outcome'>;
  readonly searchBacklog: Gauge;
  /** Switches of the alerts topic read, to the current version's (tools/reprocess). */
  readonly topicSwitches: Counter;
}

export function createAlarmManagerMetrics(registry: Registry): AlarmManagerMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: 'alarm_manager_events_total',
      help: 'Alarm events read from the alerts topic, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    transitions: new Counter({
      name: 'alarm_manager_transitions_total',
      help: 'Alarm transitions written by this process, by action',
      labelNames: ['action'],
      registers,
    }),
    notifications: new Counter({
      name: 'alarm_manager_notifications_total',
      help: 'Notification attempts, by channel and outcome (sent, failing, failed)',
      labelNames: ['channel', 'outcome'],
      registers,
    }),
    indexed: new Counter({
      name: 'alarm_manager_search_documents_total',
      help: 'Documents written to the alerts index, by outcome (written, rejected)',
      labelNames: ['outcome'],
      registers,
    }),
    searchBacklog: new Gauge({
      name: 'alarm_manager_search_backlog',
      help: 'Audit entries waiting to be indexed in Elasticsearch',
      registers,
    }),
    topicSwitches: new Counter({
      name: 'alarm_manager_alerts_topic_switches_total',
      help: "Switches of the alerts topic read to the reprocessing registry's current version",
      registers,
    }),
  };
}
