import uPlot from 'uplot';
import { getJson, queryString } from './api';
import { renderInstrumentPicker } from './instrument-picker';
import { h } from './dom';
import { INSTRUMENT_TYPES, TYPE_LABELS, formatNumber, instrumentHash } from './format';
import type { InstrumentDetail, InstrumentType, Series } from './types';

/**
 * Compare (#/compare?i=<type>:<id>&i=…&days=7): several instruments on one chart, each with its
 * trigger lines, over the instrument page's time ranges, with a CSV export of the windows shown.
 * Instruments come from the plan's lasso or from the list here. Instruments of different units
 * get a scale (and an axis) per unit.
 */
export const MAX_COMPARED = 12;

const RANGES: Array<[string, number]> = [
  ['24 h', 1],
  ['7 days', 7],
  ['30 days', 30],
  ['1 year', 365],
];
const PALETTE = [
  '#1f5fa8',
  '#c0392b',
  '#27ae60',
  '#8e44ad',
  '#d35400',
  '#16a085',
  '#2c3e50',
  '#b7950b',
  '#7f8c8d',
  '#e84393',
  '#0984e3',
  '#6c5ce7',
];
const LEVEL_DASH = { alert: [3, 3], alarm: [8, 4], action: [14, 4] } as const;

type Ref = [InstrumentType, string];

export function compareHash(refs: readonly Ref[], days?: number): string {
  const search = new URLSearchParams();
  for (const [type, id] of refs) search.append('i', `${type}:${id}`);
  if (days !== undefined) search.set('days', String(days));
  return `#/compare?${search.toString()}`;
}

function parseRefs(params: URLSearchParams): Ref[] {
  const refs: Ref[] = [];
  for (const value of params.getAll('i')) {
    const colon = value.indexOf(':');
    const type = value.slice(0, colon) as InstrumentType;
    if (
      colon > 0 &&
      INSTRUMENT_TYPES.includes(type) &&
      !refs.some(([t, id]) => t === type && id === value.slice(colon + 1))
    ) {
      refs.push([type, value.slice(colon + 1)]);
    }
  }
  return refs.slice(0, MAX_COMPARED);
}

export async function renderCompare(
  root: HTMLElement,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<void> {
  const refs = parseRefs(params);
  const days = Number(params.get('days') ?? '7');
  const chips = h(
    'ul',
    { class: 'compare-chips', id: 'compare-chips' },
    ...refs.map(([type, id], k) =>
      h(
        'li',
        {},
        h('span', { class: 'chip-colour', 'data-colour': PALETTE[k % PALETTE.length] as string }),
        h('a', { href: instrumentHash(type, id) }, id),
        ` ${TYPE_LABELS[type]} `,
        h(
          'a',
          {
            href: compareHash(
              refs.filter((_, j) => j !== k),
              days,
            ),
            class: 'chip-remove',
            title: 'remove',
          },
          '×',
        ),
      ),
    ),
  );
  for (const swatch of chips.querySelectorAll<HTMLElement>('.chip-colour')) {
    swatch.style.background = swatch.dataset['colour'] ?? '';
  }
  const picker = renderAddPicker(refs, days, signal);
  const ranges = h(
    'div',
    { class: 'ranges' },
    ...RANGES.map(([label, d]) =>
      h('a', { class: d === days ? 'button active' : 'button', href: compareHash(refs, d) }, label),
    ),
  );
  const csv = h(
    'a',
    { class: 'button', id: 'compare-csv', download: 'geostream-comparison.csv' },
    'Export CSV',
  );
  const chartHost = h('div', { class: 'chart', id: 'compare-chart' });
  const note = h('p', { class: 'hint', id: 'compare-note' });
  root.replaceChildren(
    h('h2', {}, 'Compare'),
    h(
      'p',
      { class: 'hint' },
      `Up to ${MAX_COMPARED} instruments on one chart, each with its trigger levels (dashed: alert, alarm, action).`,
    ),
    chips,
    picker,
    h('div', { class: 'compare-actions' }, ranges, csv),
    chartHost,
    note,
  );
  if (refs.length === 0) {
    chartHost.replaceChildren(
      h('p', { class: 'empty' }, 'Pick instruments on the plan (lasso) or from the list above.'),
    );
    csv.hidden = true;
    return;
  }
  const details = await Promise.all(
    refs.map(([type, id]) =>
      getJson<InstrumentDetail>('/api/instrument', { type, borehole: id }, signal),
    ),
  );
  const to = new Date(Math.max(...details.map((d) => Date.parse(d.last_window.window_start))) + 1);
  const from = new Date(to.getTime() - days * 86_400_000);
  csv.href = `/api/compare.csv${queryString({ instrument: refs.map(([t, id]) => `${t}:${id}`), from: from.toISOString(), to: to.toISOString() })}`;
  const series = await Promise.all(
    refs.map(([type, id]) =>
      getJson<Series>(
        '/api/instrument/series',
        { type, borehole: id, from: from.toISOString(), to: to.toISOString(), maxPoints: 1500 },
        signal,
      ),
    ),
  );
  drawComparison(chartHost, details, series);
  note.textContent = details
    .map((d, k) => `${d.borehole_number}: ${series[k]?.points.length ?? 0} points`)
    .join(' · ');
}

function drawComparison(host: HTMLElement, details: InstrumentDetail[], series: Series[]): uPlot {
  const aligned = uPlot.join(
    series.map((s) => [
      s.points.map((p) => Date.parse(p.t) / 1000),
      s.points.map((p) => p.mean),
    ]) as uPlot.AlignedData[],
  );
  const xs = aligned[0] as number[];
  const data: Array<Array<number | null>> = [xs];
  const seriesOptions: uPlot.Series[] = [{ label: 'time (UTC)' }];
  const units = [...new Set(details.map((d) => d.unit))];
  details.forEach((detail, k) => {
    const colour = PALETTE[k % PALETTE.length] as string;
    data.push(aligned[k + 1] as Array<number | null>);
    seriesOptions.push({
      label: `${detail.borehole_number} (${detail.unit})`,
      stroke: colour,
      width: 2,
      scale: detail.unit,
      spanGaps: true,
    });
    for (const direction of ['rising', 'falling'] as const) {
      const levels = detail.trigger_levels[direction];
      if (!levels) continue;
      for (const level of ['alert', 'alarm', 'action'] as const) {
        data.push(xs.map(() => levels[level]));
        seriesOptions.push({
          label: `${detail.borehole_number} ${level} (${direction}) ${formatNumber(levels[level])}`,
          stroke: colour,
          dash: [...LEVEL_DASH[level]],
          width: 1.25,
          scale: detail.unit,
          points: { show: false },
        });
      }
    }
  });
  const axes: uPlot.Axis[] = [
    { label: 'time (UTC)' },
    ...units.map((unit, u): uPlot.Axis => ({
      scale: unit,
      label: unit,
      side: u % 2 === 0 ? 3 : 1,
      size: 70,
      grid: { show: u === 0 },
    })),
  ];
  return new uPlot(
    {
      width: Math.max(320, host.clientWidth || 900),
      height: 420,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      scales: {
        x: { time: true },
        ...Object.fromEntries(units.map((unit) => [unit, { auto: true }])),
      },
      series: seriesOptions,
      axes,
      legend: { live: true },
    },
    data as uPlot.AlignedData,
    host,
  );
}

function renderAddPicker(refs: Ref[], days: number, signal: AbortSignal): HTMLElement {
  return renderInstrumentPicker({
    idPrefix: 'compare',
    placeholder: 'Add an instrument by id',
    signal,
    item: (i) => [
      refs.length >= MAX_COMPARED
        ? `${i.borehole_number} (at most ${MAX_COMPARED})`
        : h(
            'a',
            { href: compareHash([...refs, [i.instrument, i.borehole_number]], days) },
            `+ ${i.borehole_number}`,
          ),
      ` ${TYPE_LABELS[i.instrument]}`,
    ],
  });
}
