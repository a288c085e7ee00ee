import type { InstrumentType, TriggerLevel } from './types';

export const TYPE_LABELS: Record<InstrumentType, string> = {
  water_standpipe: 'Water standpipe',
  piezometer: 'Piezometer',
  settlement_marker: 'Settlement marker',
  extensometer: 'Extensometer',
  strain_gauge: 'Strain gauge',
};

export const INSTRUMENT_TYPES = Object.keys(TYPE_LABELS) as InstrumentType[];
export const LEVELS: TriggerLevel[] = ['none', 'alert', 'alarm', 'action'];

export function levelRank(level: TriggerLevel): number {
  return LEVELS.indexOf(level);
}

/** UTC, to the second: engineers compare with logger records, which are in UTC. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')}Z`;
}

export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '';
  return Number(value.toFixed(digits)).toString();
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const hours = Math.round(m / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

export function instrumentHash(type: InstrumentType, borehole: string): string {
  return `#/instrument?type=${encodeURIComponent(type)}&id=${encodeURIComponent(borehole)}`;
}

/** An instrument's clock as the stream-processor judged it: '' when right. */
export function formatClock(status: 'ok' | 'ahead' | 'behind', offsetMs: number | null): string {
  if (status === 'ok') return '';
  return `clock ${status}${offsetMs === null ? '' : ` by ${formatDuration(Math.abs(offsetMs))}`}`;
}
