import { ApiError, getJson, sendJson } from './api';
import { h } from './dom';
import { formatNumber } from './format';

/**
 * Site drawings: the list, and the admin's form to add one (PNG or SVG, placed by two control
 * points or an affine transform) or remove one. The server judges the file and the placement
 * and says why it refuses; its reasons are shown as they are.
 */
export interface Underlay {
  id: string;
  name: string;
  media_type: 'image/png' | 'image/svg+xml';
  image_url: string;
  width: number;
  height: number;
  transform: number[];
  control_points: Array<{ image: [number, number]; site: [number, number] }> | null;
  opacity: number;
}

export async function loadUnderlays(signal?: AbortSignal): Promise<Underlay[]> {
  return (await getJson<{ underlays: Underlay[] }>('/api/plan/underlays', {}, signal)).underlays;
}

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const numberInput = (id: string, label: string) =>
  h('label', {}, label, h('input', { id, type: 'number', step: 'any', required: true }));

/**
 * `onChange(notice)` reloads the drawings and renders this panel again, open, with the notice.
 */
export function renderUnderlayAdmin(
  underlays: Underlay[],
  onChange: (notice: string) => void,
  notice = '',
): HTMLElement {
  const message = h(
    'p',
    { class: 'admin-message', id: 'underlay-message', role: 'status' },
    notice,
  );
  const list = h(
    'ul',
    { class: 'underlay-list', id: 'underlay-list' },
    ...underlays.map((u) =>
      h(
        'li',
        { 'data-underlay-id': u.id },
        `${u.name} (${u.media_type === 'image/png' ? 'PNG' : 'SVG'}, ${formatNumber(u.width)} x ${formatNumber(u.height)}, opacity ${u.opacity}) `,
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            onclick: () => {
              if (!window.confirm(`Remove the drawing "${u.name}"?`)) return;
              sendJson('DELETE', `/api/plan/underlays/${u.id}`).then(
                () => onChange(`Removed "${u.name}".`),
                (error: unknown) => showError(message, error),
              );
            },
          },
          'Remove',
        ),
      ),
    ),
  );
  const mode = h(
    'select',
    { id: 'underlay-mode' },
    h('option', { value: 'points' }, 'two control points'),
    h('option', { value: 'affine' }, 'affine transform'),
  );
  const points = h(
    'fieldset',
    { class: 'placement', id: 'underlay-points' },
    h(
      'legend',
      {},
      'Control points: a point of the image (x, y from its top-left, y down) and where it is on site',
    ),
    numberInput('cp1-x', 'x1'),
    numberInput('cp1-y', 'y1'),
    numberInput('cp1-e', 'easting 1'),
    numberInput('cp1-n', 'northing 1'),
    h('br', {}),
    numberInput('cp2-x', 'x2'),
    numberInput('cp2-y', 'y2'),
    numberInput('cp2-e', 'easting 2'),
    numberInput('cp2-n', 'northing 2'),
  );
  const affine = h(
    'fieldset',
    { class: 'placement', id: 'underlay-affine', hidden: true },
    h('legend', {}, 'easting = a·x + b·y + c, northing = d·x + e·y + f'),
    ...['a', 'b', 'c', 'd', 'e', 'f'].map((k) => numberInput(`affine-${k}`, k)),
  );
  const setMode = () => {
    const byPoints = mode.value === 'points';
    points.hidden = !byPoints;
    affine.hidden = byPoints;
    for (const input of points.querySelectorAll('input')) input.required = byPoints;
    for (const input of affine.querySelectorAll('input')) input.required = !byPoints;
  };
  mode.addEventListener('change', setMode);
  setMode();
  const file = h('input', {
    id: 'underlay-file',
    type: 'file',
    accept: 'image/png,image/svg+xml',
    required: true,
  });
  const name = h('input', { id: 'underlay-name', type: 'text', maxlength: 200, required: true });
  const opacity = h('input', {
    id: 'underlay-opacity',
    type: 'number',
    min: 0.05,
    max: 1,
    step: 0.05,
    value: 0.8,
  });
  const value = (id: string) => Number((document.getElementById(id) as HTMLInputElement).value);

  const form = h(
    'form',
    {
      class: 'underlay-form',
      id: 'underlay-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const chosen = file.files?.[0];
        if (!chosen) return;
        message.textContent = 'Uploading…';
        message.className = 'admin-message';
        base64Of(chosen)
          .then((image) =>
            sendJson('POST', '/api/plan/underlays', {
              name: name.value,
              image,
              opacity: Number(opacity.value),
              ...(mode.value === 'points'
                ? {
                    controlPoints: [1, 2].map((k) => ({
                      image: [value(`cp${k}-x`), value(`cp${k}-y`)],
                      site: [value(`cp${k}-e`), value(`cp${k}-n`)],
                    })),
                  }
                : { transform: ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => value(`affine-${k}`)) }),
            }),
          )
          .then(() => onChange(`Added "${name.value}".`))
          .catch((error: unknown) => showError(message, error));
      },
    },
    h('label', {}, 'Name', name),
    h('label', {}, 'PNG or SVG file', file),
    h('label', {}, 'Opacity', opacity),
    h('label', {}, 'Placed by', mode),
    points,
    affine,
    h('button', { type: 'submit', id: 'underlay-submit' }, 'Add drawing'),
  );
  return h(
    'details',
    { class: 'underlay-admin', id: 'underlay-admin', open: notice !== '' },
    h('summary', {}, `Site drawings (${underlays.length})`),
    h('p', { class: 'hint' }, 'Admin: drawings are shown under the instruments, newest on top.'),
    list,
    form,
    message,
  );
}

function showError(target: HTMLElement, error: unknown): void {
  target.className = 'admin-message error';
  target.textContent =
    error instanceof ApiError
      ? `Refused (${error.status}): ${error.reasons.join('; ')}`
      : `Failed: ${error instanceof Error ? error.message : String(error)}`;
}
