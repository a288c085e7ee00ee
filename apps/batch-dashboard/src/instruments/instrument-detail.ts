import {
  INSTRUMENT_SPECS,
  resolveTriggerLevels,
  type InstrumentType,
  type SiteConfig,
  type TriggerLevels,
} from '@geostream/instrument-schemas';

/**
 * What the drill-down shows beside the chart: trigger levels resolved exactly as the
 * stream-processor resolves them (the same site configuration file), and a derived value
 * where engineers think in it. Pure.
 */
export interface DerivedValue {
  readonly kind: 'depth_below_surface' | 'piezometric_head';
  readonly label: string;
  readonly unit: string;
  readonly formula: string;
}

/** Unit weight of water used for head = pressure / γw (kN/m³). */
export const WATER_UNIT_WEIGHT = 9.81;

export function derivedValueOf(type: InstrumentType): DerivedValue | null {
  if (type === 'water_standpipe') {
    return {
      kind: 'depth_below_surface',
      label: 'depth below ground',
      unit: 'm',
      formula: 'surface_level - reading',
    };
  }
  if (type === 'piezometer') {
    return {
      kind: 'piezometric_head',
      label: 'piezometric head',
      unit: 'm',
      formula: 'kPa / 9.81',
    };
  }
  return null;
}

export function deriveValue(
  kind: DerivedValue['kind'],
  reading: number,
  surfaceLevel: number,
): number {
  return kind === 'depth_below_surface' ? surfaceLevel - reading : reading / WATER_UNIT_WEIGHT;
}

export function triggerLevelsFor(
  siteConfig: SiteConfig | undefined,
  type: InstrumentType,
  borehole: string,
  surfaceLevel: number,
): TriggerLevels {
  return resolveTriggerLevels(siteConfig, type, borehole, surfaceLevel);
}

export function quantityOf(type: InstrumentType): string {
  return INSTRUMENT_SPECS[type].quantity;
}
