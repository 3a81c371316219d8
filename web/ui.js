// Small DOM helpers shared by the views: element builder, times, toasts, the confirmation dialog.

/** `h('button', { class: 'x', onclick: fn, disabled: true }, 'text', child)`; text is never parsed as HTML. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const fmtCount = (n) => new Intl.NumberFormat().format(n);
export const plural = (n, one, many = `${one}s`) => `${fmtCount(n)} ${n === 1 ? one : many}`;

const absoluteFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
// Thresholds below a unit's size, so 59 min 55 s reads "in 1 hour", not "in 60 minutes".
const UNITS = [
  ['second', 1, 45],
  ['minute', 60, 45 * 60],
  ['hour', 3600, 22 * 3600],
  ['day', 86400, 26 * 86400],
  ['month', 30 * 86400, 320 * 86400],
  ['year', 365 * 86400, Infinity],
];

export const fmtAbsolute = (iso) => absoluteFormat.format(new Date(iso));

export function fmtRelative(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Math.abs(seconds) < 5) return 'just now';
  const [unit, size] = UNITS.find(([, , below]) => Math.abs(seconds) < below);
  return relativeFormat.format(Math.round(seconds / size), unit);
}

/** A `<time>` showing "in 3 hours", the exact time as its tooltip; `both` shows the exact time too. */
export function timeEl(iso, { both = false } = {}) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const rel = h('time', { datetime: iso, title: fmtAbsolute(iso), 'data-relative': '' }, fmtRelative(iso));
  if (!both) return rel;
  return h('span', { class: 'when' }, rel, h('span', { class: 'exact' }, fmtAbsolute(iso)));
}

/** Keeps every relative time on the page current without re-rendering the views. */
export function tickRelativeTimes() {
  for (const t of document.querySelectorAll('time[data-relative]')) t.textContent = fmtRelative(t.dateTime);
}

/**
 * A toast in the live region. `actions`: links (`href`) or buttons (`onClick`). Toasts with an
 * action stay longer: the person needs time to reach them with the keyboard.
 */
export function toast(message, { kind = 'info', actions = [], timeout } = {}) {
  const region = document.getElementById('toasts');
  // Removed after the click: a link taken out of the document during its click does not navigate.
  const close = () => setTimeout(() => item.remove());
  const item = h(
    'div',
    { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : undefined },
    h('p', {}, message),
    h(
      'div',
      { class: 'toast-actions' },
      actions.map((a) =>
        a.href
          ? h('a', { href: a.href, class: 'toast-link', onclick: close }, a.label)
          : h('button', { type: 'button', class: 'link', onclick: () => (close(), a.onClick()) }, a.label),
      ),
      h('button', { type: 'button', class: 'link toast-close', 'aria-label': 'Dismiss message', onclick: close }, '×'),
    ),
  );
  region.append(item);
  const ms = timeout ?? (kind === 'error' || actions.length ? 15000 : 6000);
  setTimeout(close, ms);
  return item;
}

/**
 * After a dialog closes on a click, the second click of a double click lands on whatever lies
 * under the pointer; this swallows it (its `detail` is the click count) so it cannot tick a
 * checkbox or press a button. A fresh single click in the meantime goes through.
 */
function swallowStrayClicks(ms = 800) {
  const stop = (e) => {
    if (e.type === 'click' && e.detail < 2) return;
    e.preventDefault();
    e.stopPropagation();
  };
  document.addEventListener('click', stop, true);
  document.addEventListener('dblclick', stop, true);
  setTimeout(() => {
    document.removeEventListener('click', stop, true);
    document.removeEventListener('dblclick', stop, true);
  }, ms);
}

let openDialogEl = null;

/**
 * A modal confirmation (native `<dialog>`: focus stays inside, Escape cancels). Focus starts on
 * Cancel for destructive actions. `onConfirm(form)` runs once at most: the confirm button is
 * disabled on the first activation and the dialog closes at once. Focus then goes to `focusAfter()`
 * (or back to the opener when cancelled).
 */
export function confirmDialog({ title, body, confirmLabel, danger = false, fields = [], onConfirm, focusAfter }) {
  if (openDialogEl) return null;
  const opener = document.activeElement;
  const titleId = `dlg-title-${Math.random().toString(36).slice(2)}`;
  let confirmed = false;
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, 'Cancel');
  const confirm = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, confirmLabel);
  const form = h(
    'form',
    {
      method: 'dialog',
      onsubmit: (e) => {
        e.preventDefault();
        if (confirmed) return;
        confirmed = true;
        confirm.disabled = true;
        swallowStrayClicks();
        dialog.close('confirm');
        onConfirm(form);
      },
    },
    h('h2', { id: titleId }, title),
    h('div', { class: 'dialog-body' }, body),
    fields,
    h('div', { class: 'dialog-actions' }, cancel, confirm),
  );
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId }, form);
  dialog.addEventListener('close', () => {
    openDialogEl = null;
    dialog.remove();
    const target = confirmed ? focusAfter?.() : opener;
    if (target?.isConnected && !target.disabled) target.focus();
    else document.getElementById('main')?.focus();
  });
  document.body.append(dialog);
  openDialogEl = dialog;
  dialog.showModal();
  (danger ? cancel : confirm).focus();
  return dialog;
}

/** Re-renders `container` with `build()` and puts focus back on the element with the same `data-focus-key`. */
export function rerender(container, build) {
  const key = document.activeElement?.closest?.('[data-focus-key]')?.dataset.focusKey;
  const inside = key && container.contains(document.activeElement);
  container.replaceChildren(...[build()].flat());
  if (inside) container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

/** An inline error with a retry button. */
export function errorBox(message, retry) {
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('p', {}, message),
    retry && h('button', { type: 'button', class: 'secondary', onclick: retry }, 'Try again'),
  );
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status.toLowerCase()}` }, status);
}
