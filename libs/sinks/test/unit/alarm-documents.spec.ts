import {
  acknowledgeAlarm,
  applyAlarmEvent,
  commentOnAlarm,
  type AlarmTransition,
} from '@geostream/alerting';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { defined } from '@geostream/platform/testing';
import { alarmDocumentId, alarmIndexDocuments } from '../../src/elasticsearch/alarm-index';
import type { StoredAuditEntry } from '../../src/postgres/app/alarm-store';

const T = Date.UTC(2026, 0, 1);
const raise = exampleAlarmEvent('level', { atMs: T, to: 'action' });
const clear = exampleAlarmEvent('level', { atMs: T + 10_000, from: 'action', to: 'none' });
const again = exampleAlarmEvent('level', { atMs: T + 20_000, to: 'alert' });

function stored(t: AlarmTransition, id: number): StoredAuditEntry {
  return {
    ...t.audit,
    id: String(id),
    condition: t.state.condition,
    instrument: t.state.instrument,
    borehole_number: t.state.borehole_number,
    lifecycle: t.state,
    recorded_at: new Date(T + id).toISOString(),
  };
}

describe('alarm documents for the alerts index', () => {
  const raised = defined(applyAlarmEvent(undefined, raise), 'raise');
  const acked = acknowledgeAlarm(raised.state, { alarmId: raise.id, by: 'ann', atMs: T + 5_000 });
  const closed = defined(applyAlarmEvent(acked.state, clear), 'clear');
  const reopened = defined(applyAlarmEvent(closed.state, again), 'raise again');
  const note = commentOnAlarm(reopened.state, {
    alarmId: raise.id,
    by: 'ann',
    atMs: T + 30_000,
    comment: 'about the first one',
  });
  const entries = [
    stored(raised, 1),
    stored(acked, 2),
    stored(closed, 3),
    stored(reopened, 10),
    stored(note, 11),
  ];

  it('has one transition per entry and each occurrence at its last state', () => {
    // Out of order on purpose: the documents follow audit ids (10 after 3, as numbers).
    const docs = alarmIndexDocuments([...entries].reverse());
    const transitions = docs.filter((d) => d.kind === 'transition');
    expect(transitions.map((d) => alarmDocumentId(d))).toEqual([
      'audit-1',
      'audit-2',
      'audit-3',
      'audit-10',
      'audit-11',
    ]);
    const alarms = docs.filter((d) => d.kind === 'alarm');
    expect(alarms.map((d) => [alarmDocumentId(d), d.state, d.audit_id])).toEqual([
      [raise.id, 'closed', 3],
      [again.id, 'active_unacknowledged', 10],
    ]);
    expect(alarms[0]).toMatchObject({ acknowledged_by: 'ann', peak_level: 'action' });
  });
});
