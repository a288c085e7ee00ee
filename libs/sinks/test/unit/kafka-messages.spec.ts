import { alarmPointKeyOf, buildDeadLetter } from '@geostream/instrument-schemas';
import { canonicalJson, deadLetterKey, perTypeTopicNamer, perTypeTopicNames } from '../../src';
import { topicMessagesFor } from '../../src/kafka/messages';
import { alertFor, windowRecord } from '../support/records';

const source = { topic: 'monitoring', partition: 2, offset: '41', key: null };

describe('deadLetterKey', () => {
  it('is the source coordinates of a whole message', () => {
    const dl = buildDeadLetter({
      source,
      payload: 'x',
      reason: 'not_json',
      message: 'm',
      deadLetteredAtMs: 0,
    });
    expect(deadLetterKey(dl)).toBe('monitoring:2:41');
  });

  it('adds the item of a batch envelope', () => {
    const dl = buildDeadLetter({
      source,
      payload: '{}',
      reason: 'missing_field',
      message: 'm',
      itemIndex: 3,
      deadLetteredAtMs: 0,
    });
    expect(deadLetterKey(dl)).toBe('monitoring:2:41:items[3]');
  });
});

describe('per-type topic names', () => {
  it('are the type names by default, and take a prefix and suffix', () => {
    expect(perTypeTopicNames(perTypeTopicNamer())).toEqual([
      'water_standpipe',
      'piezometer',
      'settlement_marker',
      'extensometer',
      'strain_gauge',
    ]);
    expect(perTypeTopicNamer({ prefix: 't1.', suffix: '.v2' })('piezometer')).toBe(
      't1.piezometer.v2',
    );
  });
});

describe('topicMessagesFor', () => {
  const topics = {
    perType: perTypeTopicNamer({ suffix: '.v1' }),
    alerts: 'alerts',
    deadLetter: 'dlq',
  };
  const piezo = windowRecord({ instrument: 'piezometer' });
  const marker = windowRecord({ instrument: 'settlement_marker' });
  const alert = alertFor(piezo);
  const dl = buildDeadLetter({
    source,
    payload: 'x',
    reason: 'not_json',
    message: 'm',
    deadLetteredAtMs: 0,
  });

  it('routes windows by type, keyed by window id; alerts by alarm point; dead letters by source', () => {
    const grouped = topicMessagesFor(
      { windows: [piezo, marker], alerts: [alert], deadLetters: [dl] },
      topics,
    );
    expect(grouped.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['piezometer.v1', [piezo.id]],
      ['settlement_marker.v1', [marker.id]],
      ['alerts', [alarmPointKeyOf(alert)]],
      ['dlq', ['monitoring:2:41']],
    ]);
    expect(JSON.parse(String(grouped[0]?.messages[0]?.value))).toEqual(piezo);
  });

  it('gives identical bytes for the same record however its keys are ordered', () => {
    const reordered = Object.fromEntries(Object.entries(piezo).reverse()) as typeof piezo;
    const once = topicMessagesFor({ windows: [piezo] }, topics);
    const again = topicMessagesFor({ windows: [reordered] }, topics);
    expect(again).toEqual(once);
    expect(once[0]?.messages[0]?.value).toBe(canonicalJson(piezo));
  });

  it('keys every event of one alarm point alike, so they share a partition and keep their order', () => {
    const raise = alertFor(piezo);
    const later = alertFor(windowRecord({ startMs: Date.UTC(2022, 4, 2, 9) }), {
      to_level: 'alarm',
    });
    const [alerts] = topicMessagesFor({ alerts: [raise, later] }, topics);
    expect(raise.id).not.toBe(later.id);
    expect(alerts?.messages.map((m) => m.key)).toEqual([
      alarmPointKeyOf(raise),
      alarmPointKeyOf(raise),
    ]);
  });

  it('sends nothing for an empty batch', () => {
    expect(topicMessagesFor({}, topics)).toEqual([]);
  });
});
