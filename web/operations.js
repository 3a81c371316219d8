// The deletion operations view: live progress by polling, and Undo while instances are restorable.
import { api, can, needs } from './api.js';
import { errorBox, fmtAbsolute, fmtCount, h, plural, timeEl, toast } from './ui.js';

const POLL_MS = 1500;

const STATE_LABELS = {
  SoftDeleting: 'Soft-deleting',
  SoftDeleted: 'Soft-deleted, waiting for purge',
  Purging: 'Purging',
  Completed: 'Completed',
  CompletedWithFailures: 'Completed with failures',
  Undone: 'Undone',
};

/** Soft-deleted by this operation and neither restored nor settled by the purge yet. */
export const restorable = (op) => Math.max(0, op.softDeleted - op.restored - op.purged - op.purgeFailed);
const canUndo = (op) => (op.state === 'SoftDeleted' || op.state === 'Purging') && restorable(op) > 0;

function describeSelection(op) {
  const sel = op.selection ?? {};
  if (op.kind === 'instance') return ['Instance ', h('span', { class: 'mono' }, String(sel.instanceId ?? ''))];
  if (op.kind === 'definition') return ['Definition ', h('span', { class: 'mono' }, String(sel.definitionId ?? '')), ' and all its instances'];
  if (sel.filter) {
    const f = Object.entries(sel.filter).filter(([k, v]) => v !== undefined && v !== null && !(k === 'deleted' && v === 'exclude'));
    const text = f.map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(', ') : v}`).join('; ');
    return [`Instances matching a filter`, h('div', { class: 'id mono' }, text || 'everything')];
  }
  if (sel.ids) return [`${plural(sel.ids.length, 'selected instance')}`];
  if (sel.idsCount) return [`${plural(sel.idsCount, 'selected instance')}`];
  return [op.kind];
}

export function mountOperations(root, params, highlightId) {
  const s = { items: [], loaded: false, error: '', undoing: new Set(), timer: 0, stopped: false, updatedAt: null, highlight: highlightId ?? null, scrolled: false };
  const rows = new Map();
  const heading = h('h1', { tabindex: -1 }, 'Deletions');
  const status = h('p', { class: 'summary', tabindex: -1 }, 'Loading deletions…');
  const errorSlot = h('div');
  const tbody = h('tbody');
  const table = h('div', { class: 'table-wrap' },
    h('table', { class: 'data operations' },
      h('thead', {}, h('tr', {},
        ['Requested', 'What', 'State', 'Progress', 'Purge after', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
      tbody));
  const empty = h('div', { class: 'empty', hidden: true },
    h('p', {}, 'No deletions yet.'),
    h('p', { class: 'muted' }, 'When you delete instances, the deletion shows up here with its progress, and you can undo it until the purge has run.'));
  root.replaceChildren(heading,
    h('div', { class: 'toolbar' }, status, h('div', { class: 'toolbar-actions' }, h('span', { class: 'muted' }, `Refreshes every ${POLL_MS / 1000} s`))),
    errorSlot, empty, table);

  async function poll() {
    if (s.stopped) return;
    if (!document.hidden) {
      try {
        let items = (await api('GET', '/deletion-operations', { query: { limit: 100 } })).items;
        if (s.highlight && !items.some((o) => o.id === s.highlight)) {
          const one = await api('GET', `/deletion-operations/${encodeURIComponent(s.highlight)}`).catch(() => null);
          if (one) items = [one, ...items];
        }
        s.items = items;
        s.error = '';
        s.updatedAt = new Date();
      } catch (e) {
        s.error = e.message;
      }
      s.loaded = true;
      if (!s.stopped) render();
    }
    if (!s.stopped) s.timer = setTimeout(poll, POLL_MS);
  }

  async function undo(op) {
    if (s.undoing.has(op.id)) return;
    s.undoing.add(op.id);
    const before = restorable(op);
    render();
    try {
      const after = await api('POST', `/deletion-operations/${encodeURIComponent(op.id)}/undo`);
      const restored = after.restored - op.restored;
      const left = before - restored;
      toast(
        `Undone: ${plural(Math.max(0, restored), 'instance')} restored.` +
          (left > 0 ? ` ${plural(left, 'instance')} could not be restored because the purge had already started on them.` : ''),
        { kind: 'success', actions: [{ label: 'Show instances', href: '#/instances' }] },
      );
      s.items = s.items.map((o) => (o.id === after.id ? after : o));
    } catch (e) {
      toast(`The deletion was not undone. ${e.message}`, { kind: 'error' });
    }
    s.undoing.delete(op.id);
    render();
    // The Undo button is gone or was disabled: keep the keyboard user in the view, not on <body>.
    if (!root.contains(document.activeElement) || document.activeElement === document.body) status.focus();
  }

  function progress(op) {
    const settled = op.restored + op.purged + op.purgeFailed;
    const counts = [
      ['Soft-deleted', op.softDeleted, 'soft-deleted'],
      ['Purged', op.purged, 'purged'],
      ['Purge failed', op.purgeFailed, 'purge-failed'],
      ['Restored', op.restored, 'restored'],
    ];
    const extra = [
      op.alreadyDeleted ? `${fmtCount(op.alreadyDeleted)} already deleted` : '',
      op.notFound ? `${fmtCount(op.notFound)} not found` : '',
    ].filter(Boolean);
    return [
      h('progress', { max: Math.max(1, op.softDeleted), value: op.softDeleted ? settled : 0, 'aria-label': `${fmtCount(settled)} of ${fmtCount(op.softDeleted)} settled` }),
      h('dl', { class: 'counts' }, counts.map(([label, n, key]) => h('div', { class: n && key === 'purge-failed' ? 'bad' : '' }, h('dt', {}, label), h('dd', { 'data-count': key }, fmtCount(n))))),
      extra.length ? h('div', { class: 'muted small' }, extra.join(' · ')) : null,
    ];
  }

  function row(op) {
    const busy = s.undoing.has(op.id);
    const label = STATE_LABELS[op.state] ?? op.state;
    const actions = [];
    if (canUndo(op) || busy) {
      actions.push(h('button', {
        type: 'button', class: 'secondary', disabled: busy || !can('admin'), title: can('admin') ? undefined : needs('admin'), 'data-focus-key': `undo:${op.id}`,
        'aria-label': `Undo this deletion: restore ${plural(restorable(op), 'instance')}`,
        onclick: () => undo(op),
      }, busy ? 'Undoing…' : 'Undo'));
    }
    const finished = op.state === 'Completed' || op.state === 'CompletedWithFailures';
    const allRestored = op.softDeleted > 0 && op.restored === op.softDeleted;
    const purgeCell = op.state === 'Undone' || !op.purgeAfter || (finished && op.purged === 0)
      ? h('span', { class: 'muted' }, '—')
      : finished
        ? h('span', { class: 'when' }, h('span', {}, 'Purge finished'), h('span', { class: 'exact' }, `due ${fmtAbsolute(op.purgeAfter)}`))
        : timeEl(op.purgeAfter, { both: true });
    return h('tr', { 'data-id': op.id, class: op.id === s.highlight ? 'highlight' : '' },
      h('td', { 'data-label': 'Requested' }, timeEl(op.requestedAt, { both: true }), h('div', { class: 'muted small' }, `by ${op.requestedBy}`)),
      h('td', { 'data-label': 'What' }, describeSelection(op), op.reason ? h('div', { class: 'muted small' }, `Reason: ${op.reason}`) : null),
      h('td', { 'data-label': 'State' }, h('span', { class: `badge state-${op.state}`, 'data-state': op.state }, label),
        finished && allRestored ? h('div', { class: 'muted small' }, 'every instance was restored') : null),
      h('td', { 'data-label': 'Progress', class: 'progress-cell' }, progress(op)),
      h('td', { 'data-label': 'Purge after' }, purgeCell),
      h('td', { 'data-label': 'Actions', class: 'actions' }, actions.length ? actions : h('span', { class: 'muted' }, '—')),
    );
  }

  /** Rows are replaced only when their operation changed, so focus and reading position stay put. */
  function render() {
    // Replaced only when the message changes: an alert re-inserted on every poll is read out every time.
    if (errorSlot.dataset.message !== s.error) {
      errorSlot.dataset.message = s.error;
      errorSlot.replaceChildren(...(s.error ? [errorBox(s.error, null)] : []));
    }
    status.textContent = !s.loaded
      ? 'Loading deletions…'
      : `${plural(s.items.length, 'deletion')}${s.items.length === 100 ? ' (the 100 most recent)' : ''}${s.updatedAt ? ` · updated ${s.updatedAt.toLocaleTimeString()}` : ''}`;
    empty.hidden = !s.loaded || s.items.length > 0 || Boolean(s.error);
    table.hidden = s.items.length === 0;
    const seen = new Set();
    let prev = null;
    for (const op of s.items) {
      seen.add(op.id);
      const sig = JSON.stringify([op, s.undoing.has(op.id), op.id === s.highlight]);
      let entry = rows.get(op.id);
      if (!entry || entry.sig !== sig) {
        const tr = row(op);
        if (entry) {
          const key = entry.tr.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
          entry.tr.replaceWith(tr);
          if (key) tr.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
        }
        entry = { sig, tr };
        rows.set(op.id, entry);
      }
      const expected = prev ? prev.nextSibling : tbody.firstChild;
      if (entry.tr !== expected) tbody.insertBefore(entry.tr, expected);
      prev = entry.tr;
    }
    for (const [id, entry] of rows) if (!seen.has(id)) (entry.tr.remove(), rows.delete(id));
    if (s.highlight && !s.scrolled) {
      const tr = rows.get(s.highlight)?.tr;
      if (tr) {
        s.scrolled = true;
        tr.scrollIntoView({ block: 'center' });
      }
    }
  }

  void poll();
  return {
    heading,
    destroy() {
      s.stopped = true;
      clearTimeout(s.timer);
    },
  };
}
