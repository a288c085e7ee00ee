import uPlot from 'uplot';
import type { InstrumentDetail, Series } from './types';

/**
 * The drill-down chart (uPlot): the window mean as a line, the min-max range as a band, the
 * trigger levels as dashed lines, and a right-hand axis in the derived quantity where there is
 * one (standpipe: depth below ground; piezometer: head), on the same scale.
 */
const LEVEL_COLOURS = { alert: '#d4a017', alarm: '#e67e22', action: '#c0392b' } as const;

export function drawChart(host: HTMLElement, detail: InstrumentDetail, series: Series): uPlot {
  const xs = series.points.map((p) => Date.parse(p.t) / 1000);
  const data: (number | null)[][] = [
    xs,
    series.points.map((p) => p.mean),
    series.points.map((p) => p.min),
    series.points.map((p) => p.max),
  ];
  const seriesOptions: uPlot.Series[] = [
    { label: 'time (UTC)' },
    { label: `mean (${detail.unit})`, stroke: '#1f5fa8', width: 2 },
    { label: 'min', stroke: 'rgba(31,95,168,0.35)', width: 1 },
    { label: 'max', stroke: 'rgba(31,95,168,0.35)', width: 1 },
  ];
  for (const direction of ['rising', 'falling'] as const) {
    const thresholds = detail.trigger_levels[direction];
    if (!thresholds) continue;
    for (const level of ['alert', 'alarm', 'action'] as const) {
      data.push(xs.map(() => thresholds[level]));
      seriesOptions.push({
        label: `${level} (${direction}) ${thresholds[level]}`,
        stroke: LEVEL_COLOURS[level],
        dash: [6, 4],
        width: 1.5,
        points: { show: false },
      });
    }
  }
  const derived = detail.derived;
  const toDerived = (v: number): number =>
    derived?.kind === 'depth_below_surface' ? detail.surface_level - v : v / 9.81;
  const axes: uPlot.Axis[] = [
    { label: 'time (UTC)' },
    { label: `${detail.quantity} (${detail.unit})`, size: 70 },
  ];
  if (derived) {
    axes.push({
      side: 1,
      scale: 'y',
      label: `${derived.label} (${derived.unit})`,
      size: 70,
      grid: { show: false },
      values: (_u, splits) => splits.map((v) => Number(toDerived(v).toFixed(2)).toString()),
    });
  }
  const width = Math.max(320, host.clientWidth || 900);
  return new uPlot(
    {
      width,
      height: 360,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      scales: { x: { time: true }, y: { auto: true } },
      series: seriesOptions,
      bands: [{ series: [3, 2], fill: 'rgba(31,95,168,0.12)' }],
      axes,
      legend: { live: true },
    },
    data as uPlot.AlignedData,
    host,
  );
}
