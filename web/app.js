// Boot: the router (#/instances, #/operations[/id], #/trash), the API key panel, the time ticker.
import { apiKey, loadSession, session } from './api.js';
import { mountInstances } from './instances.js';
import { mountOperations } from './operations.js';
import { mountTrash } from './trash.js';
import { tickRelativeTimes, toast } from './ui.js';

const main = document.getElementById('main');
let current = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const [view, id] = path.split('/');
  return { view: ['instances', 'operations', 'trash'].includes(view) ? view : 'instances', id: id ? decodeURIComponent(id) : null, params: new URLSearchParams(query) };
}

function route({ focus = true } = {}) {
  const { view, id, params } = parseHash();
  for (const a of document.querySelectorAll('nav a[data-view]')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (current?.view === view && view === 'instances') {
    current.update(params);
    return;
  }
  current?.destroy();
  const mounted = view === 'operations' ? mountOperations(main, params, id) : view === 'trash' ? mountTrash(main, params) : mountInstances(main, params);
  current = { view, ...mounted };
  document.title = `${mounted.heading.textContent} · Workflow instances`;
  // Moving focus to the new view's heading tells keyboard and screen-reader users the view changed.
  if (focus) mounted.heading.focus();
}

function setUpKeyPanel() {
  const toggle = document.getElementById('key-toggle');
  const panel = document.getElementById('key-panel');
  const input = document.getElementById('api-key');
  const show = (open) => {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) input.focus();
  };
  const label = () => {
    const me = session.current;
    toggle.textContent = me && me.authentication === 'api-keys' ? `${me.name} · ${me.role}` : apiKey.get() ? 'API key ✓' : 'API key';
  };
  window.addEventListener('wis:session', () => {
    label();
    route({ focus: false });
  });
  toggle.addEventListener('click', () => show(panel.hidden));
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') (show(false), toggle.focus());
  });
  document.getElementById('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    apiKey.set(input.value.trim());
    input.value = '';
    label();
    show(false);
    toggle.focus();
    toast(apiKey.get() ? 'API key saved for this tab.' : 'No key entered: calls are sent without a key.', { kind: 'info' });
    void loadSession();
  });
  document.getElementById('key-forget').addEventListener('click', () => {
    apiKey.set('');
    input.value = '';
    session.current = null;
    label();
    toast('API key forgotten.', { kind: 'info' });
  });
  // Polling views get a 401 on every call: open the panel once per key, not on every poll.
  let prompted = false;
  window.addEventListener('wis:unauthorized', () => {
    if (prompted) return;
    prompted = true;
    show(true);
  });
  document.getElementById('key-form').addEventListener('submit', () => (prompted = false));
  label();
}

setUpKeyPanel();
window.addEventListener('hashchange', () => route());
route({ focus: false });
void loadSession();
setInterval(tickRelativeTimes, 15000);
