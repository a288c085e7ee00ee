import { healthReport, type HealthInputs } from '../../src/health';

const healthy: HealthInputs = {
  flow: 'flowing',
  buffered: 10,
  maxBuffered: 100,
  sender: { kafkaReachable: true, lastError: undefined },
  polls: [
    { target: 'piezometer', outcome: 'ok' },
    { target: 'strain_gauge', outcome: undefined },
  ],
};

describe('healthReport', () => {
  it('is ok when Kafka answers, the buffer has room and the API answers', () => {
    expect(healthReport(healthy).status).toBe('ok');
  });

  it('is degraded while Kafka is unreachable but readings are safe in the buffer', () => {
    const report = healthReport({
      ...healthy,
      sender: { kafkaReachable: false, lastError: 'connect: ECONNREFUSED' },
    });
    expect(report.status).toBe('degraded');
    expect(report.checks['kafka']).toEqual({ ok: false, detail: 'connect: ECONNREFUSED' });
  });

  it('is degraded when the API fails', () => {
    const report = healthReport({
      ...healthy,
      polls: [{ target: 'piezometer', outcome: 'failed' }],
    });
    expect(report.status).toBe('degraded');
    expect(report.checks['api']?.detail).toContain('piezometer');
  });

  it('is down when the buffer is full and polling has stopped', () => {
    const report = healthReport({ ...healthy, flow: 'paused', buffered: 100 });
    expect(report.status).toBe('down');
    expect(report.checks['buffer']).toEqual({
      ok: false,
      detail: '100 of 100 readings buffered; polling paused',
    });
  });
});
