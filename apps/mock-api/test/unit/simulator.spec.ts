import {
  INSTRUMENT_SPECS,
  INSTRUMENT_TYPES,
  validateEnvelope,
} from '@geostream/instrument-schemas';
import { NO_FAULTS } from '../../src/simulation/faults';
import { createSimulator, type AllEnvelopes, type Envelope } from '../../src/simulation/simulator';
import { settings, T0 } from '../fixtures';

function okBody(response: ReturnType<ReturnType<typeof createSimulator>['respond']>) {
  if (response.kind !== 'ok') throw new Error(`expected ok, got ${response.kind}`);
  return response.body;
}

describe('createSimulator', () => {
  const simulator = createSimulator(
    settings({ repeatRate: 0.05, silentRate: 0.05, spikeRate: 0.01 }),
  );

  it('answers with envelopes the shared validator accepts in full when no fault is injected', () => {
    for (const type of INSTRUMENT_TYPES) {
      const envelope = okBody(simulator.respond(type, T0, 0, NO_FAULTS)) as Envelope;
      expect(envelope.units).toBe(INSTRUMENT_SPECS[type].unitsLabel);
      expect(envelope.timezone).toBe('UTC');
      const decoded = validateEnvelope(JSON.parse(JSON.stringify(envelope)));
      expect(decoded.problems).toEqual([]);
      expect(decoded.readings).toHaveLength(envelope.items.length);
      for (const reading of decoded.readings) expect(reading.instrument).toBe(type);
    }
  });

  it('stamps each item with ISO-8601 UTC time with a Z', () => {
    const envelope = okBody(simulator.respond('piezometer', T0, 0, NO_FAULTS)) as Envelope;
    for (const item of envelope.items)
      expect(item.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('counts reporting instruments, not items, in `instruments`', () => {
    const envelope = okBody(
      simulator.respond('strain_gauge', T0, 0, { ...NO_FAULTS, duplicate: 1 }),
    ) as Envelope;
    expect(envelope.items.length).toBeGreaterThanOrEqual(2 * envelope.instruments);
    expect(new Set(envelope.items.map((i) => i.borehole_number)).size).toBe(envelope.instruments);
  });

  it('returns every type under envelopes for all, with the total of instruments', () => {
    const all = okBody(simulator.respond('all', T0, 0, NO_FAULTS)) as AllEnvelopes;
    expect(Object.keys(all.envelopes)).toEqual([...INSTRUMENT_TYPES]);
    const sum = INSTRUMENT_TYPES.reduce((n, type) => n + all.envelopes[type].instruments, 0);
    expect(all.instruments).toBe(sum);
    expect(all.envelopes.piezometer).toEqual(
      okBody(simulator.respond('piezometer', T0, 0, NO_FAULTS)),
    );
  });

  it('is deterministic for a seed: two simulators give identical responses, faults included', () => {
    const faults = {
      ...NO_FAULTS,
      nullField: 0.1,
      nonNumeric: 0.1,
      duplicate: 0.1,
      outOfOrder: 0.1,
      garbage: 0.2,
    };
    const a = createSimulator(settings());
    const b = createSimulator(settings());
    for (let n = 0; n < 20; n++) {
      expect(a.respond('all', T0 + n * 5000, n, faults)).toEqual(
        b.respond('all', T0 + n * 5000, n, faults),
      );
    }
  });

  it('differs for another seed', () => {
    const other = createSimulator(settings({ seed: 43 }));
    expect(okBody(other.respond('piezometer', T0, 0, NO_FAULTS))).not.toEqual(
      okBody(simulator.respond('piezometer', T0, 0, NO_FAULTS)),
    );
  });

  it('injects item faults the validator then rejects with the matching reason', () => {
    const cases = [
      { faults: { nullField: 1 }, codes: ['null_value'] },
      { faults: { emptyField: 1 }, codes: ['empty_string', 'wrong_type'] },
      { faults: { nonNumeric: 1 }, codes: ['wrong_type', 'empty_string', 'non_finite_number'] },
      { faults: { unknownType: 1 }, codes: ['unknown_instrument'] },
    ];
    for (const { faults, codes } of cases) {
      const envelope = okBody(
        simulator.respond('piezometer', T0, 1, { ...NO_FAULTS, ...faults }),
      ) as Envelope;
      const decoded = validateEnvelope(JSON.parse(JSON.stringify(envelope)));
      expect(decoded.readings).toHaveLength(0);
      expect(decoded.problems).toHaveLength(envelope.items.length);
      for (const problem of decoded.problems) expect(codes).toContain(problem.code);
    }
  });

  it('delivers out-of-order readings that are real readings from up to 10 minutes earlier', () => {
    const envelope = okBody(
      simulator.respond('extensometer', T0, 1, { ...NO_FAULTS, outOfOrder: 1 }),
    ) as Envelope;
    for (const item of envelope.items) {
      const age = T0 - Date.parse(item.timestamp as string);
      expect(age).toBeGreaterThanOrEqual(30_000);
      expect(age).toBeLessThanOrEqual(601_500);
    }
    expect(validateEnvelope(JSON.parse(JSON.stringify(envelope))).problems).toEqual([]);
  });

  it('plans request faults: a 500, or garbage, with the delay of a slow response', () => {
    const http500 = simulator.respond('piezometer', T0, 0, {
      ...NO_FAULTS,
      http500: 1,
      slow: 1,
      slowMs: 1234,
    });
    expect(http500).toEqual({ kind: 'http_500', delayMs: 1234 });
    const garbage = simulator.respond('all', T0, 0, { ...NO_FAULTS, garbage: 1 });
    expect(garbage.kind).toBe('garbage');
  });
});
