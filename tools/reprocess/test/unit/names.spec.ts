import { aliasActions } from '../../src/aliases';
import { VERSION_NAME, versionEnvironment, versionNames, versionTopics } from '../../src/names';
import { drawingsTableStatements, pointViewsStatements } from '../../src/read-schema';

const base = {
  consumerGroup: 'stream-processor',
  pgSchema: 'public',
  esIndexPrefix: 'readings',
  topicPrefix: '',
  topicSuffix: '',
  dlqTopic: 'monitoring.dlq',
  alertsTopic: 'monitoring.alerts',
};

describe('version names', () => {
  it('derive every output name from the live deployment and the version', () => {
    const names = versionNames(base, 'v2');
    expect(versionEnvironment(names, '')).toEqual({
      CONSUMER_GROUP: 'stream-processor-v2',
      PG_SCHEMA: 'geostream_v2',
      ES_INDEX_PREFIX: 'readings_v2',
      OUTPUT_TOPIC_PREFIX: '',
      OUTPUT_TOPIC_SUFFIX: '.v2',
      DLQ_TOPIC: 'monitoring.dlq.v2',
      ALERTS_TOPIC: 'monitoring.alerts.v2',
    });
    expect(versionTopics(names, '')).toContain('piezometer.v2');
    expect(versionNames({ ...base, pgSchema: 'site_a' }, 'v3').pgSchema).toBe('site_a_v3');
  });

  it('accept short lower-case names only', () => {
    expect(['v2', 'fix_levels_2026'].every((n) => VERSION_NAME.test(n))).toBe(true);
    expect(['V2', '2', 'v-2', 'v 2', 'x'.repeat(31)].some((n) => VERSION_NAME.test(n))).toBe(false);
  });
});

describe('the switch', () => {
  it('moves each reader alias in one list of actions: off where it points, onto the version', () => {
    const actions = aliasActions(
      'readings_current',
      'readings_v2',
      new Map([['readings_current-piezometer', ['readings_v1-piezometer']]]),
    );
    expect(actions).toHaveLength(6);
    expect(actions).toEqual(
      expect.arrayContaining([
        { remove: { index: 'readings_v1-piezometer', alias: 'readings_current-piezometer' } },
        { add: { index: 'readings_v2-piezometer', alias: 'readings_current-piezometer' } },
      ]),
    );
    expect(actions.filter((a) => 'add' in a)).toHaveLength(5);
  });

  it('replaces each view in place, and copies the drawings once', () => {
    expect(pointViewsStatements('geostream_read', 'geostream_v2')).toEqual([
      'create or replace view "geostream_read"."reading_window" as select * from "geostream_v2"."reading_window"',
      'create or replace view "geostream_read"."alert_event" as select * from "geostream_v2"."alert_event"',
      'create or replace view "geostream_read"."instrument_state" as select * from "geostream_v2"."instrument_state"',
      'create or replace view "geostream_read"."record" as select * from "geostream_v2"."record"',
    ]);
    expect(drawingsTableStatements('geostream_read', 'geostream_v1').join('\n')).toMatch(
      /create table "geostream_read"."plan_underlay" \(like "geostream_v1"."plan_underlay" including all\)/,
    );
  });
});
