import { parseArgs } from '../../src/args';
import { parseSettings } from '../../src/commands/index';
import { ReprocessError } from '../../src/errors';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return (error as ReprocessError).code;
  }
  return undefined;
};

describe('parseArgs', () => {
  it('reads start with its settings, following by default', () => {
    expect(parseArgs(['start', 'v2', '--set', 'WINDOW_SIZE_MS=20000', '--set=A=b=c'])).toEqual({
      name: 'start',
      version: 'v2',
      settings: ['WINDOW_SIZE_MS=20000', 'A=b=c'],
      follow: true,
    });
    expect(parseArgs(['start', 'v2', '--detach'])).toMatchObject({ follow: false });
  });

  it('gives help for nothing, help or --help anywhere', () => {
    for (const argv of [[], ['--help'], ['help'], ['switch', 'v2', '--help']])
      expect(parseArgs(argv)).toEqual({ name: 'help' });
  });

  it('reads adopt and stop with their version', () => {
    expect(parseArgs(['adopt', 'v1'])).toEqual({ name: 'adopt', version: 'v1' });
    expect(parseArgs(['stop', 'v2'])).toEqual({ name: 'stop', version: 'v2' });
  });

  it('needs --yes spelled out for cleanup', () => {
    expect(parseArgs(['cleanup', 'v1'])).toEqual({ name: 'cleanup', version: 'v1', yes: false });
    expect(parseArgs(['cleanup', 'v1', '--yes'])).toMatchObject({ yes: true });
  });

  it('refuses unknown commands, options and missing or extra version names', () => {
    for (const argv of [
      ['launch', 'v2'],
      ['switch'],
      ['switch', 'v1', 'v2'],
      ['rollback', 'v1'],
      ['switch', 'v2', '--yes'],
      ['verify', 'v2', '--set', 'A=1'],
      ['start', 'v2', '--set'],
    ])
      expect(code(() => parseArgs(argv))).toBe('REPROCESS_BAD_ARGUMENTS');
  });
});

describe('parseSettings', () => {
  it('keeps VAR=value pairs, values with = included', () => {
    expect(parseSettings(['WINDOW_SIZE_MS=20000', 'X=a=b'])).toEqual({
      WINDOW_SIZE_MS: '20000',
      X: 'a=b',
    });
  });

  it('refuses what is not VAR=value, and the names the tool gives the version', () => {
    expect(code(() => parseSettings(['window=1']))).toBe('REPROCESS_BAD_ARGUMENTS');
    for (const name of [
      'CONSUMER_GROUP',
      'PG_SCHEMA',
      'ES_INDEX_PREFIX',
      'OUTPUT_TOPIC_SUFFIX',
      'DLQ_TOPIC',
      'ALERTS_TOPIC',
    ])
      expect(code(() => parseSettings([`${name}=x`]))).toBe('REPROCESS_SETTING_REFUSED');
  });
});
