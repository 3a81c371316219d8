// The trash: soft-deleted instances, when each will be purged, and Restore.
import { api, can, needs } from './api.js';
import { errorBox, fmtCount, h, plural, rerender, statusBadge, timeEl, toast } from './ui.js';

const LIMIT = 50;

export function mountTrash(root) {
  const s = { search: '', cursors: [null], page: 0, items: [], totalCount: 0, nextCursor: null, loading: true, error: '', restoring: new Set(), seq: 0 };
  const heading = h('h1', { tabindex: -1 }, 'Trash');
  const intro = h('p', { class: 'muted intro' }, 'Soft-deleted instances. Each stays restorable until the purge removes it for good at its purge time.');
  const searchInput = h('input', { id: 't-search', type: 'search', name: 'search', placeholder: 'Name, id or correlation id', maxlength: 200 });
  const form = h('form', { class: 'filters', 'aria-label': 'Search the trash', onsubmit: (e) => {
    e.preventDefault();
    s.search = searchInput.value.trim();
    s.cursors = [null];
    s.page = 0;
    void load();
  } },
    h('div', { class: 'field grow' }, h('label', { for: 't-search' }, 'Search'), searchInput),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Search')));
  const results = h('section', { class: 'results', 'aria-label': 'Deleted instances' });
  root.replaceChildren(heading, intro, form, results);

  async function load() {
    const seq = ++s.seq;
    s.loading = true;
    s.error = '';
    render();
    try {
      const page = await api('GET', '/workflow-instances', { query: { deleted: 'only', search: s.search, limit: LIMIT, cursor: s.cursors[s.page] ?? undefined } });
      if (seq !== s.seq) return;
      Object.assign(s, { items: page.items, totalCount: page.totalCount, nextCursor: page.nextCursor });
    } catch (e) {
      if (seq !== s.seq) return;
      s.error = e.message;
    }
    s.loading = false;
    render();
  }

  async function restore(item) {
    if (s.restoring.has(item.id)) return;
    s.restoring.add(item.id);
    render();
    const label = item.name || item.id;
    try {
      await api('POST', `/workflow-instances/${encodeURIComponent(item.id)}/restore`);
      s.items = s.items.filter((i) => i.id !== item.id);
      s.totalCount = Math.max(0, s.totalCount - 1);
      toast(`${label} restored: it is back in the instances list, exactly as before the delete.`, {
        kind: 'success',
        actions: [{ label: 'Show it', href: `#/instances?search=${encodeURIComponent(item.id)}` }],
      });
    } catch (e) {
      toast(`${label} was not restored. ${e.message}`, { kind: 'error' });
    }
    s.restoring.delete(item.id);
    render();
    if (!results.contains(document.activeElement)) results.querySelector('.summary')?.focus();
  }

  function go(delta) {
    if (delta > 0) {
      if (!s.nextCursor) return;
      s.cursors[s.page + 1] = s.nextCursor;
      s.cursors.length = s.page + 2;
    }
    s.page = Math.max(0, s.page + delta);
    void load().then(() => heading.focus({ preventScroll: true }));
  }

  function purgeCell(i) {
    if (i.purgeFailed) return h('span', { class: 'bad' }, 'Purge failed; it stays here. See the service log.');
    if (!i.purgeAfter) return h('span', { class: 'muted' }, '—');
    if (new Date(i.purgeAfter).getTime() <= Date.now()) {
      return h('span', { class: 'when' }, h('span', {}, 'Due now: purged at the next purge run'), h('span', { class: 'exact' }, timeEl(i.purgeAfter)));
    }
    return timeEl(i.purgeAfter, { both: true });
  }

  function render() {
    rerender(results, () => {
      const parts = [
        h('div', { class: 'toolbar' },
          h('p', { class: 'summary', tabindex: -1 }, s.loading && !s.items.length ? 'Loading the trash…' : `${plural(s.totalCount, 'deleted instance')}${s.search ? (s.totalCount === 1 ? ' matches the search' : ' match the search') : ''}`),
          h('div', { class: 'toolbar-actions' }, h('button', { type: 'button', class: 'secondary', 'data-focus-key': 'refresh', disabled: s.loading, onclick: () => load() }, 'Refresh'))),
      ];
      if (s.error) parts.push(errorBox(s.error, () => load()));
      if (!s.loading && !s.error && s.items.length === 0) {
        parts.push(h('div', { class: 'empty' }, h('p', {}, s.search ? 'Nothing in the trash matches this search.' : 'The trash is empty.'),
          h('p', { class: 'muted' }, 'Instances you delete wait here until they are purged.')));
      } else if (s.items.length) {
        parts.push(h('div', { class: 'table-wrap' }, h('table', { class: 'data trash' },
          h('thead', {}, h('tr', {}, ['Instance', 'Definition', 'Status', 'Deleted', 'Will be purged', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, s.items.map((i) => {
            const busy = s.restoring.has(i.id);
            return h('tr', { 'data-id': i.id },
              h('td', { 'data-label': 'Instance' }, h('div', { class: 'name' }, i.name || h('span', { class: 'muted' }, '(no name)')), h('div', { class: 'id mono' }, i.id)),
              h('td', { 'data-label': 'Definition', class: 'mono' }, i.definitionId),
              h('td', { 'data-label': 'Status' }, statusBadge(i.status)),
              h('td', { 'data-label': 'Deleted' }, timeEl(i.deletedAt), h('div', { class: 'muted small' }, `by ${i.deletedBy ?? 'unknown'}${i.deleteReason ? ` · ${i.deleteReason}` : ''}`)),
              h('td', { 'data-label': 'Will be purged', class: 'purge-at' }, purgeCell(i)),
              h('td', { 'data-label': 'Actions', class: 'actions' },
                h('button', { type: 'button', class: 'secondary', disabled: busy || !can('operator'), title: can('operator') ? undefined : needs('operator'), 'data-focus-key': `restore:${i.id}`, 'aria-label': `Restore ${i.name || i.id}`, onclick: () => restore(i) }, busy ? 'Restoring…' : 'Restore'),
                i.deletionOperationId && h('a', { class: 'small', href: `#/operations/${encodeURIComponent(i.deletionOperationId)}` }, 'Deletion')),
            );
          })))));
      }
      const from = s.page * LIMIT + 1;
      parts.push(h('nav', { class: 'pager', 'aria-label': 'Pages' },
        h('button', { type: 'button', class: 'secondary', disabled: s.page === 0 || s.loading, 'data-focus-key': 'prev', onclick: () => go(-1) }, '← Previous'),
        h('span', { class: 'page-info' }, s.items.length ? `Page ${s.page + 1} · ${fmtCount(from)}–${fmtCount(from + s.items.length - 1)} of ${fmtCount(s.totalCount)}` : `Page ${s.page + 1}`),
        h('button', { type: 'button', class: 'secondary', disabled: !s.nextCursor || s.loading, 'data-focus-key': 'next', onclick: () => go(1) }, 'Next →')));
      return parts;
    });
    results.setAttribute('aria-busy', String(s.loading));
  }

  render();
  void load();
  return { heading, destroy() {} };
}
