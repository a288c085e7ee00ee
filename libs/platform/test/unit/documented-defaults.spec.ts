import { configDefaults, readConfig } from '../../src/config/env-reader';
import { documentedDefaults } from '../../src/testing/documented-defaults';

describe('documented defaults', () => {
  it('reads one default per variable from README tables, and skips defaults said in words', () => {
    const markdown = [
      '| variable | default | meaning |',
      '| --- | --- | --- |',
      '| `POLL_INTERVAL_MS` | `5000` | tick |',
      '| `PORT`, `HOST`, `LOG_LEVEL` | 9102, `127.0.0.1`, `info` | where |',
      '| `RAW_TOPIC_RETENTION_MS` | `2592000000` (30 days) | retention |',
      '| `OUTPUT_TOPIC_PREFIX` | empty | prefix |',
      '| `POLL_TIMEOUT_MS` | min(4000, interval) | deadline |',
      '| `WINDOW_ADVANCE_MS`, `WINDOW_GAP_MS` | window size | hopping |',
      'prose mentioning `NOT_A_ROW` | `1` |',
    ].join('\n');
    expect(Object.fromEntries(documentedDefaults(markdown))).toEqual({
      POLL_INTERVAL_MS: '5000',
      PORT: '9102',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RAW_TOPIC_RETENTION_MS: '2592000000',
      OUTPUT_TOPIC_PREFIX: '',
    });
  });

  it("reports a loader's variables with the defaults it used", () => {
    const load = (env: Record<string, string | undefined>) =>
      readConfig(env, (r) => ({
        a: r.int('A_MS', 250),
        b: r.list('B_LIST', ['x', 'y']),
        c: r.bool('C_ON', true),
      }));
    expect(Object.fromEntries(configDefaults(load))).toEqual({
      A_MS: '250',
      B_LIST: 'x,y',
      C_ON: 'true',
    });
  });
});
