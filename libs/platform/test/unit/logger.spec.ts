import { prettyFactory } from 'pino-pretty';
import { PRETTY_LOG_OPTIONS, resolveLogFormat } from '../../src/logger';

describe('log format', () => {
  it('is pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says which', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('writes one line per event, error included, without pid, host or service', () => {
    const pretty = prettyFactory({ ...PRETTY_LOG_OPTIONS, colorize: false });
    const line = pretty(
      JSON.stringify({
        level: 50,
        time: '2026-12-04T18:00:00.000Z',
        pid: 42,
        hostname: 'site-pc',
        service: 'producer',
        name: 'producer',
        err: { type: 'Error', message: 'broker down', stack: 'Error: broker down\n    at x' },
        msg: 'Kafka delivery failed',
      }),
    );
    expect(line.trimEnd().split('\n')).toHaveLength(1);
    expect(line).toMatch(/ERROR: Kafka delivery failed .*broker down/);
    expect(line).not.toMatch(/site-pc|"pid"|producer/);
  });
});
