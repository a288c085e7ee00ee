import { getJson } from './api';
import { h } from './dom';
import {
  TYPE_LABELS,
  formatClock,
  formatDuration,
  formatNumber,
  formatTime,
  instrumentHash,
} from './format';
import type { Overview } from './types';

/** Per type: instruments reporting, stale, the worst current level; then who needs attention. */
export async function renderOverview(root: HTMLElement, signal: AbortSignal): Promise<void> {
  const overview = await getJson<Overview>('/api/overview', { limit: 200 }, signal);
  const cards = h(
    'section',
    { class: 'type-cards' },
    ...overview.types.map((t) =>
      h(
        'article',
        { class: `type-card level-${t.worst_level}`, 'data-type': t.type },
        h('h3', {}, TYPE_LABELS[t.type]),
        h(
          'p',
          { class: 'worst' },
          'worst: ',
          h('span', { class: `level-badge level-${t.worst_level}` }, t.worst_level),
        ),
        h('p', {}, `${t.reporting} of ${t.instruments} reporting`),
        h(
          'p',
          { class: t.stale > 0 ? 'stale-count has-stale' : 'stale-count' },
          `${t.stale} stale`,
        ),
        h(
          'p',
          { class: t.clock_skewed > 0 ? 'clock-count has-clock-skew' : 'clock-count' },
          `${t.clock_skewed} clock${t.clock_skewed === 1 ? '' : 's'} off`,
        ),
        h(
          'p',
          { class: 'level-counts' },
          `alert ${t.levels.alert} · alarm ${t.levels.alarm} · action ${t.levels.action}`,
        ),
      ),
    ),
  );
  const rows = overview.attention.map((a) =>
    h(
      'tr',
      { class: `level-${a.trigger_level}${a.stale ? ' stale' : ''}` },
      h('td', {}, h('span', { class: `level-badge level-${a.trigger_level}` }, a.trigger_level)),
      h('td', {}, TYPE_LABELS[a.instrument]),
      h(
        'td',
        {},
        h('a', { href: instrumentHash(a.instrument, a.borehole_number) }, a.borehole_number),
      ),
      h('td', { class: 'num' }, `${formatNumber(a.last_reading_mean)} ${a.unit}`),
      h('td', {}, formatTime(a.last_reading_at)),
      h(
        'td',
        {},
        [
          a.stale
            ? `stale: silent ${formatDuration(a.silent_ms)} (usual ${a.usual_interval_ms === null ? 'unknown' : formatDuration(a.usual_interval_ms)})`
            : 'reporting',
          formatClock(a.clock_status, a.clock_offset_ms),
        ]
          .filter((part) => part !== '')
          .join('; '),
      ),
    ),
  );
  root.replaceChildren(
    h('h2', {}, 'Overview'),
    h(
      'p',
      { class: 'hint' },
      `Stale = silent for more than ${overview.stale_multiplier}× the instrument's usual interval. A clock off = the logger's clock runs ahead or behind (fix the logger: its readings' times are doubtful). As of ${formatTime(overview.generated_at)}.`,
    ),
    cards,
    h('h3', {}, 'Needs attention (worst first)'),
    rows.length === 0
      ? h('p', { class: 'empty' }, 'Every instrument is reporting and below its trigger levels.')
      : h(
          'table',
          { class: 'data attention' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Level', 'Type', 'Instrument', 'Last mean', 'Last reading', 'State'].map((t) =>
                h('th', {}, t),
              ),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
  );
}
