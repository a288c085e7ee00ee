import { getJson, sendJson } from './api';
import { h } from './dom';
import { INSTRUMENT_TYPES, TYPE_LABELS, formatNumber, formatTime } from './format';
import type { InstrumentType, Thresholds } from './types';

/**
 * The admin's trigger levels: the changes in force, the latest changes, the configuration in
 * force to download, and the form to change a type's default or one instrument's levels (or go
 * back to the site configuration file). The server judges the levels; its reasons are shown.
 */
interface LevelsConfig {
  relative_to?: 'surface_level';
  rising?: Thresholds;
  falling?: Thresholds;
}

export interface LevelChange {
  id: string;
  instrument: InstrumentType;
  borehole_number: string | null;
  trigger_levels: LevelsConfig | null;
  changed_by: string;
  changed_at: string;
  comment: string;
  published: boolean;
}

export interface LevelChanges {
  in_force: LevelChange[];
  history: LevelChange[];
  unpublished: number;
}

/** How many of the latest changes the history shows. */
const HISTORY_LIMIT = 20;
const DIRECTIONS = ['rising', 'falling'] as const;
const BANDS = ['alert', 'alarm', 'action'] as const;

export function loadLevelChanges(signal: AbortSignal): Promise<LevelChanges> {
  return getJson<LevelChanges>('/api/admin/level-changes', { limit: HISTORY_LIMIT }, signal);
}

/** E.g. "rising 300 / 350 / 400; falling -10 / -20 / -30 (from surface level)". */
export function levelsText(levels: LevelsConfig | null): string {
  if (levels === null) return 'back to the site configuration file';
  const bands = DIRECTIONS.flatMap((d) => {
    const t = levels[d];
    return t
      ? [`${d} ${formatNumber(t.alert)} / ${formatNumber(t.alarm)} / ${formatNumber(t.action)}`]
      : [];
  });
  const relative = levels.relative_to === 'surface_level' ? ' (from surface level)' : '';
  return `${bands.join('; ')}${relative}`;
}

const scopeText = (instrument: InstrumentType, borehole: string | null) =>
  `${TYPE_LABELS[instrument]} ${borehole ?? '(all of type)'}`;

function changesTable(id: string, changes: LevelChange[], empty: string): HTMLElement {
  if (changes.length === 0) return h('p', { id, class: 'empty' }, empty);
  const headings = ['Instrument', 'Borehole', 'Levels', 'By', 'When', 'Comment', 'Published'];
  return h(
    'table',
    { class: 'data level-changes', id },
    h('thead', {}, h('tr', {}, ...headings.map((t) => h('th', {}, t)))),
    h(
      'tbody',
      {},
      ...changes.map((c) =>
        h(
          'tr',
          {
            'data-change-id': c.id,
            'data-scope': `${c.instrument}/${c.borehole_number ?? ''}`,
          },
          h('td', {}, TYPE_LABELS[c.instrument]),
          h('td', {}, c.borehole_number ?? 'all of type'),
          h('td', { class: 'levels' }, levelsText(c.trigger_levels)),
          h('td', {}, c.changed_by),
          h('td', {}, formatTime(c.changed_at)),
          h('td', { class: 'comment' }, c.comment),
          h(
            'td',
            { class: c.published ? 'published' : 'published waiting' },
            c.published ? 'yes' : 'waiting for Kafka',
          ),
        ),
      ),
    ),
  );
}

/** The form's levels: a band per direction with all three numbers, none where all are blank. */
function levelsFrom(data: FormData): LevelsConfig | string {
  const levels: LevelsConfig = {};
  for (const direction of DIRECTIONS) {
    const values = BANDS.map((b) => String(data.get(`${direction}_${b}`) ?? '').trim());
    if (values.every((v) => v === '')) continue;
    if (values.some((v) => v === '')) return `${direction}: give alert, alarm and action, or none`;
    const [alert, alarm, action] = values.map(Number) as [number, number, number];
    levels[direction] = { alert, alarm, action };
  }
  if (!levels.rising && !levels.falling)
    return 'give the rising or falling levels, or go back to the site configuration file';
  if (data.get('relative') === 'on') levels.relative_to = 'surface_level';
  return levels;
}

export function renderLevelsAdmin(
  section: HTMLElement,
  changes: LevelChanges,
  actions: {
    /** Does `work`, then says `done` and redraws the page (or shows the API's reasons). */
    attempt: (work: () => Promise<unknown>, done: string) => Promise<void>;
    /** Shows a message in the page's message line. */
    say: (text: string, error?: boolean) => void;
  },
): void {
  const bandInputs = DIRECTIONS.map((direction) =>
    h(
      'fieldset',
      { class: 'level-band' },
      h('legend', {}, direction),
      ...BANDS.map((band) =>
        h(
          'label',
          {},
          band,
          h('input', { name: `${direction}_${band}`, type: 'number', step: 'any' }),
        ),
      ),
    ),
  );
  const relative = h(
    'label',
    {},
    h('input', { type: 'checkbox', name: 'relative' }),
    'relative to surface level',
  );
  const levelFields = h('span', { class: 'level-fields' }, ...bandInputs, relative);
  const backToFile = h('input', {
    type: 'checkbox',
    name: 'back_to_file',
    onchange: (event: Event) => {
      const checked = (event.target as HTMLInputElement).checked;
      for (const input of levelFields.querySelectorAll('input')) input.disabled = checked;
    },
  });

  const form = h(
    'form',
    {
      class: 'admin-form',
      id: 'change-levels',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.target as HTMLFormElement);
        const instrument = String(data.get('instrument')) as InstrumentType;
        const borehole = String(data.get('borehole_number') ?? '').trim();
        const levels = data.get('back_to_file') === 'on' ? null : levelsFrom(data);
        if (typeof levels === 'string') {
          actions.say(levels, true);
          return;
        }
        const scope = scopeText(instrument, borehole === '' ? null : borehole);
        void actions.attempt(
          () =>
            sendJson('POST', '/api/admin/level-changes', {
              instrument,
              ...(borehole !== '' && { borehole_number: borehole }),
              ...(levels === null ? { back_to_file: true } : { trigger_levels: levels }),
              comment: String(data.get('comment') ?? ''),
            }),
          levels === null
            ? `${scope}: back to the site configuration file`
            : `${scope}: levels changed`,
        );
      },
    },
    h(
      'select',
      { name: 'instrument' },
      ...INSTRUMENT_TYPES.map((t) => h('option', { value: t }, TYPE_LABELS[t])),
    ),
    h('input', {
      name: 'borehole_number',
      placeholder: 'borehole (empty: all of type)',
      maxlength: 200,
    }),
    levelFields,
    h('label', {}, backToFile, 'back to the site configuration file'),
    h('input', {
      name: 'comment',
      placeholder: 'why (required)',
      required: true,
      maxlength: 2000,
    }),
    h('button', { type: 'submit', class: 'button' }, 'Change levels'),
  );

  section.replaceChildren(
    h('h3', {}, 'Trigger levels'),
    h(
      'p',
      {},
      'Changes are written to Kafka; the stream processors apply them to every window they close from then on. ',
      h(
        'a',
        {
          href: '/api/admin/site-config',
          download: 'site-config.json',
          id: 'site-config-download',
        },
        'Download the site configuration in force (JSON)',
      ),
    ),
    h('h4', {}, 'In force'),
    changesTable(
      'levels-in-force',
      changes.in_force,
      'No change: the site configuration file applies.',
    ),
    h(
      'p',
      { class: 'error-text', id: 'levels-unpublished', hidden: changes.unpublished === 0 },
      `${changes.unpublished} change(s) waiting to be written to Kafka`,
    ),
    form,
    h('h4', {}, `Latest changes (up to ${HISTORY_LIMIT})`),
    changesTable('levels-history', changes.history, 'No change yet.'),
  );
}
