import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import { buildSite, SITE_BOX, SURFACE_LEVEL_RANGE } from '../../src/simulation/site';
import { settings } from '../fixtures';

describe('buildSite', () => {
  it('builds the same site for the same seed', () => {
    expect(buildSite(settings())).toEqual(buildSite(settings()));
  });

  it('builds a different site for a different seed', () => {
    const a = buildSite(settings({ seed: 1 }));
    const b = buildSite(settings({ seed: 2 }));
    expect(a.instruments.piezometer.map((i) => i.boreholeNumber)).not.toEqual(
      b.instruments.piezometer.map((i) => i.boreholeNumber),
    );
  });

  it('draws each type count from the configured range, like the reference (50 to 149)', () => {
    const counts = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const site = buildSite(settings({ seed, instrumentsPerType: { min: 50, max: 149 } }));
      for (const type of INSTRUMENT_TYPES) {
        const n = site.instruments[type].length;
        expect(n).toBeGreaterThanOrEqual(50);
        expect(n).toBeLessThanOrEqual(149);
        counts.add(n);
      }
    }
    expect(counts.size).toBeGreaterThan(20); // really drawn, not fixed
  });

  it('places exactly the fixed count when min equals max', () => {
    const site = buildSite(settings({ instrumentsPerType: { min: 1000, max: 1000 } }));
    for (const type of INSTRUMENT_TYPES) expect(site.instruments[type]).toHaveLength(1000);
  });

  it('keeps every instrument inside the site box, on realistic ground levels, with whole-metre grid coordinates', () => {
    const site = buildSite(settings({ instrumentsPerType: { min: 200, max: 200 } }));
    for (const type of INSTRUMENT_TYPES) {
      for (const i of site.instruments[type]) {
        expect(i.easting).toBeGreaterThanOrEqual(SITE_BOX.eastingMin);
        expect(i.easting).toBeLessThanOrEqual(SITE_BOX.eastingMax);
        expect(i.northing).toBeGreaterThanOrEqual(SITE_BOX.northingMin);
        expect(i.northing).toBeLessThanOrEqual(SITE_BOX.northingMax);
        expect(Number.isInteger(i.easting) && Number.isInteger(i.northing)).toBe(true);
        expect(i.surfaceLevel).toBeGreaterThanOrEqual(SURFACE_LEVEL_RANGE.min);
        expect(i.surfaceLevel).toBeLessThanOrEqual(SURFACE_LEVEL_RANGE.max);
      }
    }
  });

  it('gives every instrument on site its own borehole number, BH-<digits>', () => {
    const site = buildSite(settings({ instrumentsPerType: { min: 149, max: 149 } }));
    const ids = INSTRUMENT_TYPES.flatMap((type) =>
      site.instruments[type].map((i) => i.boreholeNumber),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^BH-\d{4,}$/);
  });

  it('installs settlement markers and extensometers close to the tunnel, standpipes further out', () => {
    const site = buildSite(settings({ instrumentsPerType: { min: 300, max: 300 } }));
    const meanOffset = (type: (typeof INSTRUMENT_TYPES)[number]) =>
      site.instruments[type].reduce((sum, i) => sum + Math.abs(i.offsetM), 0) /
      site.instruments[type].length;
    expect(meanOffset('extensometer')).toBeLessThan(15);
    expect(meanOffset('settlement_marker')).toBeLessThan(30);
    expect(meanOffset('water_standpipe')).toBeGreaterThan(150);
  });
});
