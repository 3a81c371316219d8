import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { TestApp, TestClock, startTestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');
const GRACE_SECONDS = 3600;
const WIDE = { width: 1280, height: 860 };
const NARROW = { width: 390, height: 844 };

const DEFINITIONS = [
  { id: 'orders', name: 'Order fulfilment' },
  { id: 'invoices', name: 'Invoice approval' },
  { id: 'reports', name: 'Monthly report' },
];
const pad = (n: number) => String(n).padStart(2, '0');
/** 12 orders (5 and 10 faulted, 4, 8 and 12 completed), 6 invoices (5 faulted), 15 reports. */
const INSTANCES = [
  ...Array.from({ length: 12 }, (_, i) => ({ id: `ord-${pad(i + 1)}`, definitionId: 'orders', name: `Order #${i + 1}` })),
  ...Array.from({ length: 6 }, (_, i) => ({ id: `inv-${pad(i + 1)}`, definitionId: 'invoices', name: `Invoice #${i + 1}` })),
  ...Array.from({ length: 15 }, (_, i) => ({ id: `rep-${pad(i + 1)}`, definitionId: 'reports', name: `Report #${i + 1}` })),
];
const FAULTED = ['ord-05', 'ord-10', 'inv-05'];
const COMPLETED = ['ord-04', 'ord-08', 'ord-12'];

/** The real time, moved forward by hand: the page shows real times, the purge can be made due. */
class ShiftedClock extends TestClock {
  private offsetMs = 0;
  override now() {
    return new Date(Date.now() + this.offsetMs);
  }
  override advance(ms: number) {
    this.offsetMs += ms;
  }
}

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

async function seed(t: TestApp) {
  for (const d of DEFINITIONS) await t.http.post('/api/workflow-definitions').send(d).expect(201);
  for (const i of INSTANCES) await t.http.post('/api/workflow-instances').send(i).expect(201);
  for (const id of FAULTED) await t.http.post(`/api/workflow-instances/${id}/fault`).send({ error: 'payment service timed out' }).expect(200);
  for (const id of COMPLETED) await t.http.post(`/api/workflow-instances/${id}/complete`).expect(200);
}

/** Evaluates an expression in the page (a string: the tests compile without the DOM library). */
const inPage = (page: Page, expression: string) => page.evaluate(expression);
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const row = (page: Page, id: string) => page.locator(`tbody tr[data-id="${id}"]`);
const summary = (page: Page, text: string) => page.locator('.summary', { hasText: text }).waitFor();
const toastWith = (page: Page, text: string) => page.locator('.toast', { hasText: text });
const isBulkDelete = (r: Request) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/workflow-instances/bulk-delete';

/** Selects rows by their instance names and opens the delete confirmation. */
async function selectAndAskDelete(page: Page, names: string[]) {
  for (const n of names) await page.getByRole('checkbox', { name: `Select ${n}`, exact: true }).check();
  await page.getByRole('button', { name: 'Delete…' }).click();
  return page.getByRole('dialog');
}

if (!existsSync(CHROMIUM)) {
  console.log(`skipped: Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  describe('operator web page in Chromium', () => {
    it('has no browser to run in on this machine', () => {
      expect(existsSync(CHROMIUM)).toBe(false);
    });
  });
} else {
  describe('operator web page in Chromium (embedded store)', () => {
    let t: TestApp;
    let clock: ShiftedClock;
    let base: string;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let requests: Request[];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      clock = new ShiftedClock();
      t = await startTestApp({
        clock,
        env: { PURGE_ENABLED: 'true', PURGE_INTERVAL_MS: '300', PURGE_GRACE_PERIOD_SECONDS: String(GRACE_SECONDS), LOG_LEVEL: 'info' },
      });
      await t.app.listen(0, '127.0.0.1');
      base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
      await seed(t);
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });
    beforeEach(async () => {
      context = await browser.newContext({ viewport: WIDE, locale: 'en-US', timezoneId: 'UTC' });
      context.setDefaultTimeout(10_000);
      page = await context.newPage();
      requests = [];
      page.on('request', (r) => requests.push(r));
    });
    afterEach(() => context.close());

    it('serves the page and its assets without an API key, and nothing outside web/', async () => {
      const index = await t.http.get('/').expect(200);
      expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(index.headers['cache-control']).toBe('no-cache');
      expect(index.text).toContain('<script type="module" src="/assets/app.js">');
      const js = await t.http.get('/assets/app.js').expect(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect((await t.http.get('/assets/styles.css').expect(200)).headers['content-type']).toBe('text/css; charset=utf-8');
      await t.http.get('/assets/nothing.js').expect(404);
      await t.http.get('/assets/..%2Fpackage.json').expect(404);
      await t.http.get('/assets/%2e%2e%2f%2e%2e%2fpackage.json').expect(404);
    });

    it('filters by status, definition, search and created time, and pages with next/previous', async () => {
      await page.goto(`${base}/`);
      await summary(page, '33 instances in total');

      await page.getByLabel('Status').selectOption('Faulted');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await summary(page, '3 instances match the filter');
      expect((await page.locator('tbody tr').allTextContents()).every((r) => r.includes('Faulted'))).toBe(true);
      expect(page.url()).toContain('#/instances?status=Faulted');

      await page.getByLabel('Definition').selectOption('invoices');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await summary(page, '1 instance matches the filter');
      await row(page, 'inv-05').waitFor();

      await page.getByRole('button', { name: 'Clear', exact: true }).click();
      await page.getByLabel('Search').fill('Invoice');
      await page.getByLabel('Search').press('Enter');
      await summary(page, '6 instances match the filter');

      await page.getByLabel('Search').fill('');
      await page.getByLabel('Created from').fill('2999-01-01T00:00');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No instances match these filters.').waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await summary(page, '33 instances in total');

      await page.getByLabel('Per page').selectOption('10');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('Page 1 · 1–10 of 33').waitFor();
      await shot(page, 'instances-1280');
      await page.getByRole('button', { name: 'Next →' }).click();
      await page.getByText('Page 2 · 11–20 of 33').waitFor();
      await page.getByRole('button', { name: 'Next →' }).click();
      await page.getByRole('button', { name: 'Next →' }).click();
      await page.getByText('Page 4 · 31–33 of 33').waitFor();
      expect(await page.getByRole('button', { name: 'Next →' }).isDisabled()).toBe(true);
      await page.getByRole('button', { name: '← Previous' }).click();
      await page.getByText('Page 3 · 21–30 of 33').waitFor();
      const listCalls = requests.filter((r) => new URL(r.url()).pathname === '/api/workflow-instances');
      expect(new URL(listCalls[listCalls.length - 1].url()).searchParams.get('cursor')).toBeTruthy();
    });

    it('deletes selected rows at once; a double click on Confirm sends exactly one request', async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      // The response is held back so the page's state while the request is in flight can be seen.
      await page.route('**/api/workflow-instances/bulk-delete', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${base}/#/instances?definitionId=orders`);
      await row(page, 'ord-01').waitFor();

      expect(await page.getByRole('button', { name: 'Delete…' }).isDisabled()).toBe(true);
      const dialog = await selectAndAskDelete(page, ['Order #1', 'Order #2']);
      await dialog.waitFor();
      const text = await dialog.textContent();
      expect(text).toContain('Delete 2 instances?');
      expect(text).toContain('soft-deleted at once');
      expect(text).toContain('After the grace period');
      expect(text).toContain('restore them');
      expect(await inPage(page, 'document.activeElement?.textContent')).toBe('Cancel');
      await dialog.getByLabel('Reason (optional, kept in the audit trail)').fill('customer asked');
      await shot(page, 'delete-dialog-1280');

      await dialog.getByRole('button', { name: 'Delete 2 instances' }).dblclick();
      await row(page, 'ord-01').and(page.locator('.is-deleting')).waitFor();
      await row(page, 'ord-02').and(page.locator('.is-deleting')).waitFor();
      expect(await row(page, 'ord-01').textContent()).toContain('Deleting…');
      expect(await page.getByRole('button', { name: 'Deleting…' }).isDisabled()).toBe(true);
      expect(await page.getByRole('dialog').count()).toBe(0);
      // The second click of the double click must not have ticked anything under the closed dialog.
      expect(await page.locator('tbody input[type=checkbox]:checked').count()).toBe(0);

      release();
      const toast = toastWith(page, '2 instances deleted');
      await toast.waitFor();
      expect(await toast.textContent()).toMatch(/will be purged on .+ \(in 1 hour\); restorable until then/);
      await row(page, 'ord-01').waitFor({ state: 'detached' });
      await row(page, 'ord-02').waitFor({ state: 'detached' });
      await shot(page, 'instances-after-delete-1280');
      await page.waitForTimeout(500);

      const sent = requests.filter(isBulkDelete);
      expect(sent).toHaveLength(1);
      expect(sent[0].headers()['idempotency-key']).toMatch(/^[\w-]{36}$/);
      expect(sent[0].postDataJSON()).toEqual({ ids: ['ord-01', 'ord-02'], reason: 'customer asked' });
      await t.http.get('/api/workflow-instances/ord-01').expect(404);
      const opLink = await toast.getByRole('link', { name: 'View deletion' }).getAttribute('href');
      const op = (await t.http.get(`/api/deletion-operations/${decodeURIComponent(opLink!.split('/').pop()!)}`).expect(200)).body;
      expect(op).toMatchObject({ softDeleted: 2, reason: 'customer asked', state: 'SoftDeleted' });
    });

    it('keyboard: Space selects, the dialog opens on Cancel, Escape closes it and gives focus back, nothing is sent', async () => {
      await page.goto(`${base}/#/instances?definitionId=invoices`);
      await row(page, 'inv-01').waitFor();
      await page.getByRole('checkbox', { name: 'Select Invoice #1', exact: true }).focus();
      await page.keyboard.press('Space');
      await page.getByText('1 selected', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Delete…' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').waitFor();
      expect(await inPage(page, 'document.activeElement?.textContent')).toBe('Cancel');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      expect(await inPage(page, 'document.activeElement?.textContent')).toBe('Delete…');
      expect(requests.filter(isBulkDelete)).toHaveLength(0);
    });

    it('selects all instances matching the filter and deletes by filter', async () => {
      await page.goto(`${base}/#/instances?definitionId=reports&limit=10`);
      await summary(page, '15 instances match the filter');
      await page.getByRole('checkbox', { name: 'Select all instances on this page' }).check();
      await page.getByRole('button', { name: 'Select all 15 matching the filter' }).click();
      await page.getByText('All 15 instances matching the filter are selected.').waitFor();
      await page.getByText('15 selected').waitFor();
      const dialog = await selectAndAskDelete(page, []);
      expect(await dialog.textContent()).toContain('Delete all 15 instances matching the filter?');
      await dialog.getByRole('button', { name: 'Delete 15 instances' }).click();
      await toastWith(page, '15 instances deleted').waitFor();
      await page.getByText('No instances match these filters.').waitFor();
      const sent = requests.filter(isBulkDelete);
      expect(sent).toHaveLength(1);
      expect(sent[0].postDataJSON()).toEqual({ filter: { definitionId: 'reports', deleted: 'exclude' } });
    });

    it('undoes a deletion from the deletions view', async () => {
      await page.goto(`${base}/#/instances?definitionId=orders`);
      const dialog = await selectAndAskDelete(page, ['Order #5', 'Order #6']);
      await dialog.getByRole('button', { name: 'Delete 2 instances' }).click();
      await toastWith(page, '2 instances deleted').getByRole('link', { name: 'View deletion' }).click();
      expect(page.url()).toMatch(/#\/operations\/[\w-]+$/);
      const opRow = page.locator('tr.highlight');
      await opRow.locator('[data-state="SoftDeleted"]').waitFor();
      await opRow.getByRole('button', { name: /Undo this deletion: restore 2 instances/ }).click();
      await toastWith(page, 'Undone: 2 instances restored.').waitFor();
      await opRow.locator('[data-state="Undone"]').waitFor();
      expect(await opRow.getByRole('button', { name: /Undo/ }).count()).toBe(0);
      expect((await t.http.get('/api/workflow-instances/ord-05').expect(200)).body).toMatchObject({ isDeleted: false, status: 'Faulted' });
      await t.http.get('/api/workflow-instances/ord-06').expect(200);
    });

    it('restores from the trash, which shows when each instance will be purged', async () => {
      await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['ord-07', 'ord-09'], reason: 'duplicate' }).expect(202);
      await page.goto(`${base}/#/trash`);
      const trashed = row(page, 'ord-07');
      await trashed.waitFor();
      const purgeAfter = (await t.http.get('/api/workflow-instances/ord-07?deleted=include').expect(200)).body.purgeAfter as string;
      const cell = trashed.locator('td.purge-at');
      expect(await cell.textContent()).toContain('in 1 hour');
      expect(await cell.locator('time').getAttribute('datetime')).toBe(purgeAfter);
      expect(await cell.textContent()).toContain(new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(new Date(purgeAfter)));
      expect(await trashed.textContent()).toContain('duplicate');
      await shot(page, 'trash-1280');

      await trashed.getByRole('button', { name: 'Restore Order #7' }).click();
      await toastWith(page, 'Order #7 restored').waitFor();
      await trashed.waitFor({ state: 'detached' });
      expect((await t.http.get('/api/workflow-instances/ord-07').expect(200)).body.isDeleted).toBe(false);

      // Restored elsewhere meanwhile: the page says so in words, with the API's reason.
      await t.http.post('/api/workflow-instances/ord-09/restore').expect(200);
      await row(page, 'ord-09').getByRole('button', { name: 'Restore Order #9' }).click();
      const error = toastWith(page, 'Order #9 was not restored.');
      await error.waitFor();
      expect(await error.textContent()).toContain('This cannot be done in its current state');
      expect(await error.textContent()).toContain('The service said: “workflow instance ord-09 is not deleted”');
    });

    it('stays readable on a 390px screen', async () => {
      await page.setViewportSize(NARROW);
      const fits = () => inPage(page, 'document.documentElement.scrollWidth <= window.innerWidth');
      await page.goto(`${base}/#/instances`);
      await row(page, 'ord-05').waitFor();
      expect(await fits()).toBe(true);
      await shot(page, 'instances-390');
      await page.getByRole('link', { name: 'Deletions' }).click();
      await page.locator('table.operations tbody tr').first().waitFor();
      expect(await fits()).toBe(true);
      await shot(page, 'operations-390');
      await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['inv-01', 'inv-02'] }).expect(202);
      await page.getByRole('link', { name: 'Trash' }).click();
      await row(page, 'inv-01').waitFor();
      expect(await fits()).toBe(true);
      await shot(page, 'trash-390');
      await page.getByRole('link', { name: 'Instances' }).click();
      await page.getByRole('checkbox', { name: 'Select Invoice #3', exact: true }).check();
      await page.getByRole('button', { name: 'Delete…' }).click();
      await page.getByRole('dialog').waitFor();
      expect(await fits()).toBe(true);
      await shot(page, 'delete-dialog-390');
      await page.keyboard.press('Escape');
    });

    // Last: moving the clock past the grace period makes every soft-deleted instance due.
    it('shows live progress without reloading until the operation is Completed after the purge', async () => {
      await page.goto(`${base}/#/instances?definitionId=orders`);
      const dialog = await selectAndAskDelete(page, ['Order #3', 'Order #4']);
      await dialog.getByRole('button', { name: 'Delete 2 instances' }).click();
      await toastWith(page, '2 instances deleted').getByRole('link', { name: 'View deletion' }).click();
      const opRow = page.locator('tr.highlight');
      await opRow.locator('[data-state="SoftDeleted"]').waitFor();
      expect(await opRow.locator('[data-count="purged"]').textContent()).toBe('0');
      await inPage(page, 'window.notReloaded = true');
      const pollsBefore = requests.filter((r) => new URL(r.url()).pathname === '/api/deletion-operations').length;

      clock.advance((GRACE_SECONDS + 60) * 1000);
      await opRow.locator('[data-state="Completed"]').waitFor({ timeout: 15000 });
      expect(await opRow.locator('[data-count="purged"]').textContent()).toBe('2');
      expect(await opRow.locator('[data-count="purge-failed"]').textContent()).toBe('0');
      expect(await inPage(page, 'window.notReloaded')).toBe(true);
      expect(requests.filter((r) => new URL(r.url()).pathname === '/api/deletion-operations').length).toBeGreaterThan(pollsBefore);
      await page.locator('[data-state="SoftDeleted"], [data-state="Purging"]').first().waitFor({ state: 'detached', timeout: 15000 });
      await shot(page, 'operations-1280');
      await t.http.get('/api/workflow-instances/ord-03?deleted=include').expect(404);
    }, 60_000);
  });

  describe('operator web page with API keys configured', () => {
    let t: TestApp;
    let browser: Browser;

    beforeAll(async () => {
      t = await startTestApp({ env: { API_KEYS: 'alice:operator:operator-key-1234567,vera:viewer:viewer-key-12345678' } });
      await t.app.listen(0, '127.0.0.1');
      await t.http.post('/api/workflow-definitions').set('Authorization', 'Bearer operator-key-1234567').send({ id: 'orders', name: 'Orders' }).expect(201);
      await t.http.post('/api/workflow-instances').set('Authorization', 'Bearer operator-key-1234567').send({ id: 'a-1', definitionId: 'orders', name: 'Secret order' }).expect(201);
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('loads without a key, asks for one in words, then sends it as a Bearer token', async () => {
      const context = await browser.newContext({ viewport: WIDE });
      const page = await context.newPage();
      const auth: (string | undefined)[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/')) auth.push(r.headers().authorization);
      });
      await page.goto((await t.app.getUrl()).replace('[::1]', '127.0.0.1'));
      await page.getByText('The service needs an API key for this. Paste a valid key under “API key” at the top of the page.').first().waitFor();
      expect(await inPage(page, `document.activeElement?.id === 'api-key'`)).toBe(true);
      await page.locator('#api-key').fill('operator-key-1234567');
      await page.getByRole('button', { name: 'Use key' }).click();
      await row(page, 'a-1').waitFor();
      expect(auth[0]).toBeUndefined();
      expect(auth[auth.length - 1]).toBe('Bearer operator-key-1234567');
      expect(await inPage(page, `sessionStorage.getItem('wis.apiKey')`)).toBe('operator-key-1234567');
      await page.getByRole('button', { name: 'alice · operator' }).waitFor();
      await context.close();
    });

    it('offers a viewer key nothing it may not do, and says why', async () => {
      const context = await browser.newContext({ viewport: WIDE });
      const page = await context.newPage();
      const writes: string[] = [];
      page.on('request', (r) => {
        if (r.method() !== 'GET') writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
      });
      await page.goto((await t.app.getUrl()).replace('[::1]', '127.0.0.1'));
      await page.locator('#api-key').fill('viewer-key-12345678');
      await page.getByRole('button', { name: 'Use key' }).click();
      await page.getByRole('button', { name: 'vera · viewer' }).waitFor();
      await row(page, 'a-1').waitFor();
      await row(page, 'a-1').getByRole('checkbox').check();
      const del = page.getByRole('button', { name: 'Delete…' });
      expect(await del.isDisabled()).toBe(true);
      expect(await del.getAttribute('title')).toBe('Your API key (viewer) cannot do this: it needs the operator role.');
      expect(writes).toEqual([]);
      await context.close();
    });
  });
}
