// The instances view: filters, cursor paging, selection and the bulk delete.
import { api, can, needs, newIdempotencyKey } from './api.js';
import { confirmDialog, errorBox, fmtAbsolute, fmtCount, fmtRelative, h, plural, rerender, statusBadge, timeEl, toast } from './ui.js';

const STATUSES = ['Running', 'Suspended', 'Completed', 'Faulted', 'Cancelled'];
const DELETED = [
  ['exclude', 'Hide deleted'],
  ['include', 'Include deleted'],
  ['only', 'Only deleted'],
];
const PAGE_SIZES = [10, 25, 50, 100, 200];
const FILTER_KEYS = ['status', 'definitionId', 'search', 'createdFrom', 'createdTo', 'deleted', 'limit'];

/** The filter as the page keeps it (the form's values, also kept in the address). */
function filterFrom(params) {
  const f = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? '']));
  if (!DELETED.some(([v]) => v === f.deleted)) f.deleted = 'exclude';
  if (!PAGE_SIZES.includes(Number(f.limit))) f.limit = '50';
  return f;
}

const localToIso = (v) => {
  const d = v ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
};

/** The filter as the API takes it, both for the list and for a bulk delete by filter. */
function apiFilter(f) {
  return {
    status: f.status ? [f.status] : undefined,
    definitionId: f.definitionId || undefined,
    search: f.search.trim() || undefined,
    createdAfter: localToIso(f.createdFrom),
    createdBefore: localToIso(f.createdTo),
    deleted: f.deleted,
  };
}

const isFiltered = (f) => Boolean(f.status || f.definitionId || f.search || f.createdFrom || f.createdTo || f.deleted !== 'exclude');

export function mountInstances(root, params) {
  const s = {
    filter: filterFrom(params),
    definitions: [],
    cursors: [null],
    page: 0,
    items: [],
    totalCount: 0,
    nextCursor: null,
    loading: true,
    error: '',
    selected: new Set(),
    allMatching: false,
    deleting: new Set(),
    inFlight: false,
    seq: 0,
  };

  const heading = h('h1', { tabindex: -1 }, 'Instances');
  const form = h('form', { class: 'filters', 'aria-label': 'Filter instances', onsubmit: (e) => (e.preventDefault(), applyForm()) });
  const results = h('section', { class: 'results', 'aria-label': 'Instances' });
  root.replaceChildren(heading, form, results);

  function field(label, control, cls = '') {
    return h('div', { class: `field ${cls}` }, h('label', { for: control.id }, label), control);
  }

  function renderForm() {
    const f = s.filter;
    const select = (id, name, options, value) =>
      h('select', { id, name }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
    form.replaceChildren(
      field('Search', h('input', { id: 'f-search', name: 'search', type: 'search', value: f.search, placeholder: 'Name, id or correlation id', maxlength: 200 }), 'grow'),
      field('Status', select('f-status', 'status', [['', 'Any status'], ...STATUSES.map((x) => [x, x])], f.status)),
      field('Definition', select('f-definition', 'definitionId', [['', 'Any definition'], ...s.definitions.map((d) => [d.id, d.name ? `${d.name} (${d.id})` : d.id])], f.definitionId)),
      field('Created from', h('input', { id: 'f-from', name: 'createdFrom', type: 'datetime-local', value: f.createdFrom })),
      field('Created to', h('input', { id: 'f-to', name: 'createdTo', type: 'datetime-local', value: f.createdTo })),
      field('Deleted', select('f-deleted', 'deleted', DELETED, f.deleted)),
      field('Per page', select('f-limit', 'limit', PAGE_SIZES.map((n) => [String(n), String(n)]), f.limit)),
      h(
        'div',
        { class: 'filter-actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
        h('button', { type: 'button', class: 'secondary', onclick: () => navigate({}) }, 'Clear'),
      ),
    );
  }

  /** Filters live in the address, so a reload or a shared link shows the same list. */
  function navigate(filter) {
    const q = new URLSearchParams();
    for (const k of FILTER_KEYS) if (filter[k] && !(k === 'deleted' && filter[k] === 'exclude') && !(k === 'limit' && filter[k] === '50')) q.set(k, filter[k]);
    const hash = `#/instances${q.toString() ? `?${q}` : ''}`;
    if (location.hash === hash) update(new URLSearchParams(q));
    else location.hash = hash;
  }

  function applyForm() {
    const data = new FormData(form);
    navigate(Object.fromEntries(FILTER_KEYS.map((k) => [k, String(data.get(k) ?? '')])));
  }

  function update(newParams) {
    s.filter = filterFrom(newParams);
    s.cursors = [null];
    s.page = 0;
    s.selected.clear();
    s.allMatching = false;
    renderForm();
    if (!s.definitions.length) void loadDefinitions();
    void load();
  }

  async function load() {
    const seq = ++s.seq;
    s.loading = true;
    s.error = '';
    render();
    try {
      const page = await api('GET', '/workflow-instances', {
        query: { ...apiFilter(s.filter), limit: s.filter.limit, cursor: s.cursors[s.page] ?? undefined },
      });
      if (seq !== s.seq) return;
      s.items = page.items;
      s.totalCount = page.totalCount;
      s.nextCursor = page.nextCursor;
    } catch (e) {
      if (seq !== s.seq) return;
      s.error = e.message;
    }
    s.loading = false;
    render();
  }

  async function loadDefinitions() {
    try {
      s.definitions = (await api('GET', '/workflow-definitions')).items ?? [];
      renderForm();
      render();
    } catch {
      // The list still works; the definition filter then offers "Any" and the ids seen in rows.
    }
  }

  const selectedCount = () => (s.allMatching ? s.totalCount : s.selected.size);
  const selectable = () => s.items.filter((i) => !i.isDeleted && !s.deleting.has(i.id));
  const definitionName = (id) => s.definitions.find((d) => d.id === id)?.name;

  function toggle(id, on) {
    if (s.allMatching) {
      s.allMatching = false;
      s.selected = new Set(selectable().map((i) => i.id));
    }
    if (on) s.selected.add(id);
    else s.selected.delete(id);
    render();
  }

  function togglePage(on) {
    s.allMatching = false;
    for (const i of selectable()) on ? s.selected.add(i.id) : s.selected.delete(i.id);
    render();
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

  function askDelete() {
    const count = selectedCount();
    if (count === 0 || s.inFlight) return;
    const byFilter = s.allMatching;
    const ids = byFilter ? null : [...s.selected];
    const filter = byFilter ? apiFilter(s.filter) : null;
    // One key per confirmation: a repeated send of this delete returns the same operation.
    const idempotencyKey = newIdempotencyKey();
    const what = byFilter ? `all ${plural(count, 'instance')} matching the filter` : plural(count, 'instance');
    confirmDialog({
      title: `Delete ${what}?`,
      danger: true,
      confirmLabel: `Delete ${plural(count, 'instance')}`,
      body: [
        h(
          'ul',
          { class: 'consequences' },
          count === 1
            ? [
                h('li', {}, h('strong', {}, 'Now: '), 'it is soft-deleted at once. It leaves the lists, and its bookmarks can no longer be resumed.'),
                h('li', {}, h('strong', {}, 'After the grace period: '), 'the purge removes it for good, with its events, bookmarks and files. The exact time is shown as soon as the deletion is accepted.'),
                h('li', {}, h('strong', {}, 'Until then: '), 'you can restore it from the Trash, or undo the deletion under Deletions.'),
              ]
            : [
                h('li', {}, h('strong', {}, 'Now: '), 'they are soft-deleted at once. They leave the lists, and their bookmarks can no longer be resumed.'),
                h('li', {}, h('strong', {}, 'After the grace period: '), 'the purge removes them for good, with their events, bookmarks and files. The exact time is shown as soon as the deletion is accepted.'),
                h('li', {}, h('strong', {}, 'Until then: '), 'you can restore them one by one from the Trash, or undo the whole deletion under Deletions.'),
              ],
        ),
        byFilter && h('p', { class: 'note' }, `The filter is applied when you confirm: instances that match it by then are deleted too (${fmtCount(count)} match now).`),
      ],
      fields: [
        h('label', { for: 'delete-reason' }, 'Reason (optional, kept in the audit trail)'),
        h('textarea', { id: 'delete-reason', name: 'reason', rows: 2, maxlength: 500 }),
      ],
      focusAfter: () => results.querySelector('.summary'),
      onConfirm: (f) => {
        const reason = String(new FormData(f).get('reason') ?? '').trim() || undefined;
        void runDelete({ ids, filter, reason, idempotencyKey, count });
      },
    });
  }

  async function runDelete({ ids, filter, reason, idempotencyKey, count }) {
    if (s.inFlight) return;
    s.inFlight = true;
    const marked = ids ?? s.items.filter((i) => !i.isDeleted).map((i) => i.id);
    for (const id of marked) s.deleting.add(id);
    s.selected.clear();
    s.allMatching = false;
    render();
    try {
      const op = await api('POST', '/workflow-instances/bulk-delete', {
        body: { ...(ids ? { ids } : { filter }), ...(reason ? { reason } : {}) },
        headers: { 'Idempotency-Key': idempotencyKey },
      });
      s.items = s.items.filter((i) => !marked.includes(i.id));
      const done = op.softDeleted + op.alreadyDeleted;
      const purge = op.purgeAfter ? ` ${done === 1 ? 'It' : 'They'} will be purged ${timeText(op.purgeAfter)}; restorable until then.` : '';
      const missing = op.notFound ? ` ${plural(op.notFound, 'instance was', 'instances were')} already gone.` : '';
      toast(`${plural(done, 'instance')} deleted.${purge}${missing}`, {
        kind: 'success',
        actions: [{ label: 'View deletion', href: `#/operations/${encodeURIComponent(op.id)}` }],
      });
    } catch (e) {
      toast(`Nothing was deleted. ${e.message}`, { kind: 'error' });
    } finally {
      for (const id of marked) s.deleting.delete(id);
      s.inFlight = false;
    }
    await load();
  }

  const timeText = (iso) => `on ${fmtAbsolute(iso)} (${fmtRelative(iso)})`;

  function render() {
    rerender(results, () => {
      const parts = [];
      const count = selectedCount();
      const summary = s.loading && !s.items.length
        ? 'Loading instances…'
        : s.inFlight
          ? `Deleting ${plural(s.deleting.size, 'instance')}…`
          : `${plural(s.totalCount, 'instance')} ${isFiltered(s.filter) ? (s.totalCount === 1 ? 'matches the filter' : 'match the filter') : 'in total'}`;
      parts.push(
        h(
          'div',
          { class: 'toolbar' },
          h('p', { class: 'summary', tabindex: -1 }, summary),
          h(
            'div',
            { class: 'toolbar-actions' },
            h('span', { class: 'selection-count' }, count ? `${fmtCount(count)} selected` : 'None selected'),
            h(
              'button',
              { type: 'button', class: 'danger', disabled: count === 0 || s.inFlight || !can('operator'), title: can('operator') ? undefined : needs('operator'), 'data-focus-key': 'delete', onclick: askDelete },
              s.inFlight ? 'Deleting…' : 'Delete…',
            ),
            h('button', { type: 'button', class: 'secondary', 'data-focus-key': 'refresh', onclick: () => load(), disabled: s.loading }, 'Refresh'),
          ),
        ),
      );
      if (s.error) parts.push(errorBox(s.error, () => load()));
      const pageIds = selectable().map((i) => i.id);
      const pageAllSelected = pageIds.length > 0 && pageIds.every((id) => s.allMatching || s.selected.has(id));
      if (s.allMatching) {
        parts.push(
          h('div', { class: 'select-banner' }, `All ${plural(s.totalCount, 'instance')} matching the filter are selected.`, ' ',
            h('button', { type: 'button', class: 'link', 'data-focus-key': 'clear-sel', onclick: () => togglePage(false) }, 'Clear selection')),
        );
      } else if (pageAllSelected && s.totalCount > s.selected.size) {
        parts.push(
          h('div', { class: 'select-banner' }, `${plural(s.selected.size, 'instance')} selected.`, ' ',
            h('button', { type: 'button', class: 'link', 'data-focus-key': 'sel-all', onclick: () => ((s.allMatching = true), render()) }, `Select all ${fmtCount(s.totalCount)} matching the filter`)),
        );
      }
      if (!s.loading && !s.error && s.items.length === 0) parts.push(emptyState());
      else if (s.items.length) parts.push(table(pageAllSelected, pageIds.length === 0));
      parts.push(pager());
      return parts;
    });
    results.setAttribute('aria-busy', String(s.loading));
  }

  function emptyState() {
    if (isFiltered(s.filter)) {
      return h('div', { class: 'empty' }, h('p', {}, 'No instances match these filters.'),
        h('button', { type: 'button', class: 'secondary', onclick: () => navigate({}) }, 'Clear filters'));
    }
    return h('div', { class: 'empty' }, h('p', {}, 'No workflow instances yet.'),
      h('p', { class: 'muted' }, 'Instances appear here when workflows start (POST /api/workflow-instances). For demo data run ', h('code', {}, 'npm run cli -- demo seed'), '.'));
  }

  function table(pageAllSelected, nothingSelectable) {
    const showDeleted = s.filter.deleted !== 'exclude';
    const head = h('tr', {},
      h('th', { scope: 'col', class: 'col-select' },
        h('input', { type: 'checkbox', 'aria-label': 'Select all instances on this page', checked: pageAllSelected, disabled: nothingSelectable || s.inFlight, 'data-focus-key': 'sel-page', onchange: (e) => togglePage(e.target.checked) })),
      h('th', { scope: 'col' }, 'Instance'),
      h('th', { scope: 'col' }, 'Definition'),
      h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col' }, 'Created'),
      h('th', { scope: 'col' }, 'Updated'),
      showDeleted && h('th', { scope: 'col' }, 'Deleted'),
    );
    const rows = s.items.map((i) => {
      const deleting = s.deleting.has(i.id);
      const label = i.name || i.id;
      return h('tr', { 'data-id': i.id, class: deleting ? 'is-deleting' : i.isDeleted ? 'is-deleted' : '', 'aria-busy': deleting ? 'true' : undefined },
        h('td', { class: 'col-select' },
          h('input', { type: 'checkbox', 'aria-label': `Select ${label}`, checked: !i.isDeleted && (s.allMatching || s.selected.has(i.id)), disabled: i.isDeleted || deleting || s.inFlight, 'data-focus-key': `sel:${i.id}`, onchange: (e) => toggle(i.id, e.target.checked) })),
        h('td', { 'data-label': 'Instance' }, h('div', { class: 'name' }, i.name || h('span', { class: 'muted' }, '(no name)')), h('div', { class: 'id mono' }, i.id)),
        h('td', { 'data-label': 'Definition' }, definitionName(i.definitionId) ?? '', h('div', { class: 'id mono' }, i.definitionId)),
        h('td', { 'data-label': 'Status' }, deleting ? h('span', { class: 'badge status-deleting' }, 'Deleting…') : statusBadge(i.status)),
        h('td', { 'data-label': 'Created' }, timeEl(i.createdAt)),
        h('td', { 'data-label': 'Updated' }, timeEl(i.updatedAt)),
        showDeleted && h('td', { 'data-label': 'Deleted' }, i.isDeleted ? [h('span', { class: 'badge status-deleted' }, 'In trash'), ' purge ', timeEl(i.purgeAfter)] : h('span', { class: 'muted' }, 'No')),
      );
    });
    return h('div', { class: 'table-wrap' }, h('table', { class: 'data instances' }, h('thead', {}, head), h('tbody', {}, rows)));
  }

  function pager() {
    const limit = Number(s.filter.limit);
    const from = s.page * limit + 1;
    const to = s.page * limit + s.items.length;
    return h('nav', { class: 'pager', 'aria-label': 'Pages' },
      h('button', { type: 'button', class: 'secondary', disabled: s.page === 0 || s.loading, 'data-focus-key': 'prev', onclick: () => go(-1) }, '← Previous'),
      h('span', { class: 'page-info' }, s.items.length ? `Page ${s.page + 1} · ${fmtCount(from)}–${fmtCount(to)} of ${fmtCount(s.totalCount)}` : `Page ${s.page + 1}`),
      h('button', { type: 'button', class: 'secondary', disabled: !s.nextCursor || s.loading, 'data-focus-key': 'next', onclick: () => go(1) }, 'Next →'),
    );
  }

  renderForm();
  render();
  void loadDefinitions();
  void load();
  return { heading, update, destroy() {} };
}
