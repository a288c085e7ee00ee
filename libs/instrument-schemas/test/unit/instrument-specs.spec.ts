import {
  INSTRUMENT_SPECS,
  INSTRUMENT_TYPES,
  classifyTriggerLevel,
  isInstrumentType,
  parseSiteConfig,
  physicalRangeFor,
  resolveTriggerLevels,
  simulationRangeFor,
} from '../../src';

describe('INSTRUMENT_SPECS', () => {
  it.each(INSTRUMENT_TYPES.map((t) => [t]))(
    '%s: simulation lies inside the physical range',
    (type) => {
      const physical = physicalRangeFor(type, 80);
      const simulated = simulationRangeFor(type, 80);
      expect(simulated.min).toBeGreaterThanOrEqual(physical.min);
      expect(simulated.max).toBeLessThanOrEqual(physical.max);
    },
  );

  it.each(INSTRUMENT_TYPES.map((t) => [t]))(
    '%s: default levels are a valid site config',
    (type) => {
      const config = {
        version: 1,
        defaults: { [type]: INSTRUMENT_SPECS[type].defaultTriggerLevels },
      };
      expect(parseSiteConfig(config).ok).toBe(true);
    },
  );

  it.each(INSTRUMENT_TYPES.map((t) => [t]))(
    '%s: default rate-of-change and silence rules are a valid site config',
    (type) => {
      const config = {
        version: 1,
        rate_of_change_defaults: { [type]: INSTRUMENT_SPECS[type].defaultRateOfChange },
        silence_defaults: { [type]: INSTRUMENT_SPECS[type].defaultSilence },
      };
      expect(parseSiteConfig(config)).toMatchObject({ ok: true });
    },
  );

  it.each(INSTRUMENT_TYPES.map((t) => [t]))(
    '%s: normal operation starts below the alert level',
    (type) => {
      // Simulations may drift into the levels (settlement does as a tunnel face passes), but
      // one end of the operating range is quiet.
      const simulated = simulationRangeFor(type, 80);
      const levels = resolveTriggerLevels(undefined, type, 'X-1', 80);
      const quietEnds = [simulated.min, simulated.max].filter(
        (v) => classifyTriggerLevel(v, levels) === 'none',
      );
      expect(quietEnds.length).toBeGreaterThan(0);
    },
  );

  it('labels units as the reference envelope does', () => {
    expect(INSTRUMENT_SPECS.water_standpipe.unitsLabel).toBe('water level (m)');
  });

  it('recognises only the five types', () => {
    expect(INSTRUMENT_TYPES.filter(isInstrumentType)).toHaveLength(5);
    expect([undefined, 'Piezometer', 'toString', 5].some(isInstrumentType)).toBe(false);
  });
});
