import { getJson } from './api';
import { drawChart } from './chart';
import { renderInstrumentPicker } from './instrument-picker';
import { h } from './dom';
import { INSTRUMENT_TYPES, TYPE_LABELS, formatNumber, formatTime, instrumentHash } from './format';
import type { AlertRow, InstrumentDetail, InstrumentType, Series } from './types';

const RANGES: Array<[string, number | undefined]> = [
  ['24 h', 1],
  ['7 days', 7],
  ['30 days', 30],
  ['1 year', 365],
];

/** Pick an instrument; see its metadata, its chart with trigger lines, and its alerts. */
export async function renderInstrument(
  root: HTMLElement,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<void> {
  const type = params.get('type') as InstrumentType | null;
  const id = params.get('id');
  const picker = renderPicker(signal);
  if (!type || !id || !INSTRUMENT_TYPES.includes(type)) {
    root.replaceChildren(h('h2', {}, 'Instrument'), picker);
    return;
  }
  const detail = await getJson<InstrumentDetail>('/api/instrument', { type, borehole: id }, signal);
  const chartHost = h('div', { class: 'chart', id: 'instrument-chart' });
  const chartNote = h('p', { class: 'hint', id: 'chart-note' });
  const rangeDays = Number(params.get('days') ?? '7');
  const ranges = h(
    'div',
    { class: 'ranges' },
    ...RANGES.map(([label, days]) =>
      h(
        'a',
        {
          class: days === rangeDays ? 'button active' : 'button',
          href: `${instrumentHash(type, id)}&days=${days}`,
        },
        label,
      ),
    ),
  );
  const alertsHost = h('div', { id: 'instrument-alerts' }, 'Loading alerts…');
  root.replaceChildren(
    h(
      'h2',
      {},
      `${TYPE_LABELS[type]} `,
      h('span', { class: 'instrument-id', id: 'instrument-id' }, detail.borehole_number),
    ),
    picker,
    metadata(detail),
    ranges,
    chartHost,
    chartNote,
    h('h3', {}, 'Alert history'),
    alertsHost,
  );

  const to = new Date(Date.parse(detail.last_window.window_start) + 1);
  const from = new Date(to.getTime() - rangeDays * 86_400_000);
  const [series, alerts] = await Promise.all([
    getJson<Series>(
      '/api/instrument/series',
      { type, borehole: id, from: from.toISOString(), to: to.toISOString(), maxPoints: 1500 },
      signal,
    ),
    getJson<{ alerts: AlertRow[] }>('/api/alerts', { type, borehole: id, limit: 100 }, signal),
  ]);
  if (series.points.length === 0)
    chartHost.replaceChildren(h('p', { class: 'empty' }, 'No windows in this range.'));
  else drawChart(chartHost, detail, series);
  chartNote.textContent =
    `${series.points.length} points` +
    (series.bucketMs > 0
      ? `, windows merged into ${Math.round(series.bucketMs / 1000)} s buckets (true mean, min of mins, max of maxes)`
      : ', one per window') +
    '. Band: min to max. Dashed: trigger levels.';
  alertsHost.replaceChildren(alertTable(alerts.alerts));
}

function metadata(d: InstrumentDetail): HTMLElement {
  const rows: Array<[string, string | Node]> = [
    ['Type', TYPE_LABELS[d.instrument]],
    ['Measures', `${d.quantity} (${d.unit})`],
    ['Surface level', `${formatNumber(d.surface_level)} m`],
    ['Location', `N ${formatNumber(d.northing, 1)}, E ${formatNumber(d.easting, 1)}`],
    [
      'Current level',
      h('span', { class: `level-badge level-${d.trigger_level}` }, d.trigger_level),
    ],
    [
      'Latest window',
      `${formatTime(d.last_window.window_start)}: mean ${formatNumber(d.last_window.reading_mean)} ${d.unit} (min ${formatNumber(d.last_window.reading_min)}, max ${formatNumber(d.last_window.reading_max)}, ${d.last_window.reading_count} readings)`,
    ],
  ];
  if (d.derived) {
    rows.push([
      d.derived.label,
      `${formatNumber(d.derived.last_value)} ${d.derived.unit} (${d.derived.formula})`,
    ]);
  }
  for (const direction of ['rising', 'falling'] as const) {
    const t = d.trigger_levels[direction];
    if (t)
      rows.push([
        `Levels (${direction})`,
        `alert ${t.alert}, alarm ${t.alarm}, action ${t.action} ${d.unit}`,
      ]);
  }
  return h(
    'dl',
    { class: 'metadata', id: 'instrument-metadata' },
    ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

function alertTable(alerts: AlertRow[]): HTMLElement {
  if (alerts.length === 0) return h('p', { class: 'empty' }, 'No alerts.');
  return h(
    'table',
    { class: 'data' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Window end (UTC)', 'Kind', 'Direction', 'From', 'To', 'Value', 'Threshold'].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...alerts.map((a) =>
        h(
          'tr',
          { class: `level-${a.to_level}` },
          h('td', {}, formatTime(a.window_end)),
          h('td', {}, a.kind),
          h('td', {}, a.direction),
          h('td', {}, a.from_level),
          h('td', {}, h('span', { class: `level-badge level-${a.to_level}` }, a.to_level)),
          h('td', { class: 'num' }, `${formatNumber(a.value)} ${a.unit}`),
          h('td', { class: 'num' }, a.threshold === null ? '' : formatNumber(a.threshold)),
        ),
      ),
    ),
  );
}

function renderPicker(signal: AbortSignal): HTMLElement {
  return renderInstrumentPicker({
    idPrefix: 'picker',
    placeholder: 'Find an instrument by id',
    signal,
    item: (i) => [
      h('a', { href: instrumentHash(i.instrument, i.borehole_number) }, i.borehole_number),
      ` ${TYPE_LABELS[i.instrument]} · `,
      h('span', { class: `level-badge level-${i.trigger_level}` }, i.trigger_level),
    ],
  });
}
