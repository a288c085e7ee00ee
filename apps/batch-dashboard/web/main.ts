import './styles.css';
import { h } from './dom';
import { renderHistory } from './history-view';
import { renderInstrument } from './instrument-view';
import { connectLive, createLiveStore, type ConnectionState } from './live';
import { HIGHLIGHT_MS, alertItem, renderLive } from './live-view';
import { renderOverview } from './overview-view';
import { renderCompare } from './compare-view';
import { renderPlan, type PlanView } from './plan-view';
import { renderAdmin } from './admin-view';
import { renderAlarms, type AlarmsView } from './alarms-view';
import { renderAudit } from './audit-view';
import { renderNotifications } from './notifications-view';
import { isAdmin, loadMe, renderSessionArea } from './session';

/**
 * The dashboard's shell: a hash router over four views, the live connection (always on, so
 * alerts show as toasts on every view) and its state in the header.
 */
const styleNonce =
  document.querySelector<HTMLMetaElement>('meta[name="csp-style-nonce"]')?.content ?? '';
const view = document.getElementById('view') as HTMLElement;
const liveState = document.getElementById('live-state') as HTMLElement;
const toasts = document.getElementById('toasts') as HTMLElement;
const store = createLiveStore();

let leave: (() => void) | undefined;
let liveView: { refresh(): void } | undefined;
let planView: PlanView | undefined;
let alarmsView: AlarmsView | undefined;
let current = '';

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  'feed-down': 'live feed down',
  'feed-off': 'live feed off',
};

function showError(error: unknown): void {
  if (error instanceof DOMException && error.name === 'AbortError') return;
  view.append(
    h(
      'p',
      { class: 'error' },
      `Could not load: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
}

function route(): void {
  leave?.();
  leave = undefined;
  liveView = undefined;
  planView = undefined;
  alarmsView = undefined;
  const hash = window.location.hash.replace(/^#\/?/, '') || 'overview';
  const [name = 'overview', search = ''] = hash.split('?');
  current = name;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) {
    link.classList.toggle('active', link.dataset['view'] === name);
  }
  const abort = new AbortController();
  leave = () => abort.abort();
  view.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  switch (name) {
    case 'history': {
      const destroy = renderHistory(view, styleNonce);
      leave = () => {
        abort.abort();
        destroy();
      };
      break;
    }
    case 'instrument':
      renderInstrument(view, new URLSearchParams(search), abort.signal).catch(showError);
      break;
    case 'live':
      liveView = renderLive(view, store);
      break;
    case 'plan': {
      const plan = renderPlan(view);
      planView = plan;
      leave = () => {
        abort.abort();
        plan.leave();
      };
      break;
    }
    case 'compare':
      renderCompare(view, new URLSearchParams(search), abort.signal).catch(showError);
      break;
    case 'alarms':
      alarmsView = renderAlarms(view, new URLSearchParams(search));
      break;
    case 'audit':
      renderAudit(view, new URLSearchParams(search), abort.signal).catch(showError);
      break;
    case 'notifications':
      renderNotifications(view, new URLSearchParams(search), abort.signal).catch(showError);
      break;
    case 'admin':
      renderAdmin(view, abort.signal).catch(showError);
      break;
    default:
      renderOverview(view, abort.signal).catch(showError);
  }
}

function toast(element: HTMLElement): void {
  toasts.prepend(element);
  setTimeout(() => element.remove(), HIGHLIGHT_MS);
}

connectLive(store, {
  onState(state) {
    liveState.dataset['state'] = state;
    liveState.textContent = STATE_TEXT[state];
  },
  onWindow(record) {
    liveView?.refresh();
    planView?.onWindow(record);
  },
  onAlert(alert) {
    liveView?.refresh();
    toast(h('ul', { class: 'toast live-alerts' }, alertItem(alert, true)));
  },
  onAlarm(change) {
    alarmsView?.refresh();
    if (change.action === 'raise')
      toast(h('p', { class: 'toast alarm-toast' }, `Alarm: ${change.point}`));
  },
  onGap() {
    // Missed events (e.g. the server restarted): views built from the API reload.
    if (current === 'overview') route();
    planView?.reload();
    alarmsView?.refresh();
  },
});

// Highlights fade: re-render the live view now and then so "new" expires.
setInterval(() => liveView?.refresh(), 5_000);
window.addEventListener('hashchange', route);
// Who is signed in decides the buttons the views show: known before the first view renders.
void loadMe()
  .then(() => {
    renderSessionArea(document.getElementById('session') as HTMLElement);
    const adminLink = document.querySelector<HTMLElement>('nav a[data-view="admin"]');
    if (adminLink) adminLink.hidden = !isAdmin();
  })
  .catch(() => undefined)
  .finally(route);
