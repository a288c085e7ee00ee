import { h } from './dom';
import { TYPE_LABELS, formatNumber, formatTime, instrumentHash, levelRank } from './format';
import type { LiveStore } from './live';
import type { LiveAlert, LiveWindow } from './types';

/** How long a new alert stays highlighted. */
export const HIGHLIGHT_MS = 20_000;

export function alertItem(alert: LiveAlert, isNew: boolean): HTMLElement {
  return h(
    'li',
    {
      class: `live-alert level-${alert.to_level}${isNew ? ' alert-new' : ''}`,
      'data-alert-id': alert.id,
    },
    h(
      'span',
      { class: `level-badge level-${alert.to_level}` },
      alert.kind === 'raise' ? alert.to_level : `cleared to ${alert.to_level}`,
    ),
    ' ',
    h(
      'a',
      { href: instrumentHash(alert.instrument, alert.borehole_number), class: 'alert-instrument' },
      alert.borehole_number,
    ),
    ` ${TYPE_LABELS[alert.instrument]} ${alert.direction}: ${formatNumber(alert.value)} ${alert.unit}`,
    alert.threshold === null ? '' : ` (threshold ${formatNumber(alert.threshold)})`,
    h('time', {}, ` ${formatTime(alert.occurred_at)}`),
  );
}

function windowRow(w: LiveWindow): HTMLElement {
  return h(
    'tr',
    { class: `level-${w.trigger_level}`, 'data-window-id': w.id },
    h('td', {}, formatTime(w.window_start)),
    h('td', {}, TYPE_LABELS[w.instrument]),
    h(
      'td',
      {},
      h('a', { href: instrumentHash(w.instrument, w.borehole_number) }, w.borehole_number),
    ),
    h('td', { class: 'num' }, `${formatNumber(w.reading_mean)} ${w.unit}`),
    h('td', { class: 'num' }, String(w.reading_count)),
    h('td', {}, h('span', { class: `level-badge level-${w.trigger_level}` }, w.trigger_level)),
  );
}

/** Live: current trigger states of the instruments heard from, new alerts highlighted, new windows. */
export function renderLive(root: HTMLElement, store: LiveStore): { refresh(): void } {
  const states = h('tbody', { id: 'live-states' });
  const alerts = h('ul', { class: 'live-alerts', id: 'live-alerts' });
  const windows = h('tbody', { id: 'live-windows' });
  const refresh = (): void => {
    const now = Date.now();
    states.replaceChildren(
      ...[...store.instruments.values()]
        .sort(
          (a, b) =>
            levelRank(b.level) - levelRank(a.level) ||
            b.window.window_start.localeCompare(a.window.window_start),
        )
        .slice(0, 100)
        .map(({ window: w }) => windowRow(w)),
    );
    alerts.replaceChildren(
      ...store.alerts.map((a) =>
        alertItem(a, now - (store.alertArrivals.get(a.id) ?? 0) < HIGHLIGHT_MS),
      ),
    );
    windows.replaceChildren(...store.windows.slice(0, 50).map(windowRow));
  };
  const head = () =>
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Window start (UTC)', 'Type', 'Instrument', 'Mean', 'Count', 'Level'].map((t) =>
          h('th', {}, t),
        ),
      ),
    );
  root.replaceChildren(
    h('h2', {}, 'Live'),
    h(
      'p',
      { class: 'hint' },
      'Windows and alerts as the stream-processor produces them, since this page opened.',
    ),
    h('h3', {}, 'New alerts'),
    alerts,
    h('h3', {}, 'Trigger states (instruments heard from, worst first)'),
    h('table', { class: 'data' }, head(), states),
    h('h3', {}, 'Latest windows'),
    h('table', { class: 'data' }, head(), windows),
  );
  refresh();
  return { refresh };
}
