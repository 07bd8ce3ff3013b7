import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../helpers/namespace';
import { ConsoleHarness } from './harness';

const MAX_RETRY_ATTEMPTS = 1;

describe('operator console: admin pages (browser, all four services)', function () {
  this.timeout(60_000);
  const ui = new ConsoleHarness();

  before(async () => {
    await ui.start('browseradmin', {
      MAX_RETRY_ATTEMPTS: String(MAX_RETRY_ATTEMPTS),
      RETRY_DELAY_SECONDS: '0.1',
    });
  });

  after(async () => {
    await ui.stop();
  });

  /** STUCK at payment: the error lasts one delivery more than the retries allow. */
  const stuckOrder = async (): Promise<string> => {
    const orderId = `adm-${randomUUID().slice(0, 8)}`;
    await ui.placeOrder(orderId, {
      simulate: { step: 'payment', mode: 'error', times: MAX_RETRY_ATTEMPTS + 1 },
    });
    const order = await ui.settled(orderId);
    expect(order.status, `order ${orderId}`).to.equal('STUCK');
    return orderId;
  };

  const signedInAt = async (path: string): Promise<Page> => {
    const page = await ui.newPage();
    await page.goto(ui.url(path));
    await ui.signIn(page);
    return page;
  };

  /** What the session keeps: sessionStorage values, localStorage keys, cookies. */
  const storage = async (page: Page) => ({
    ...(await page.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: Object.keys(localStorage).length,
    }))),
    cookies: (await page.context().cookies()).length,
  });

  it('console, given no admin token, when an admin page is opened, then it asks for the token, refuses a wrong one and keeps the right one in this tab only', async () => {
    const page = await ui.newPage();
    await page.goto(ui.url('/dead-letters'));
    await page.getByLabel('Admin token').waitFor();
    expect(ui.record(page).requests.some((r) => r.url.includes('/admin/'))).to.equal(false);

    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That is not the admin token.').waitFor();
    expect((await storage(page)).session).to.deep.equal([]);

    await ui.signIn(page);
    await page.locator('.empty-queues').waitFor();
    expect(await storage(page)).to.deep.equal({
      session: [TEST_ADMIN_TOKEN],
      local: 0,
      cookies: 0,
    });
    await page.reload();
    await page.locator('.empty-queues').waitFor();
    const otherTab = await ui.newPage();
    await otherTab.goto(ui.url('/faults'));
    await otherTab.getByLabel('Admin token').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect((await storage(page)).session).to.deep.equal([]);
    ui.expectClean(page);
  });

  it('console, given a STUCK saga, when it is replayed from the stuck page after its preview, then it completes with the operator and reason on its timeline', async () => {
    const orderId = await stuckOrder();
    const page = await signedInAt('/stuck');
    const row = page.locator(`tr[data-order="${orderId}"]`);
    await row.waitFor();
    await ui.screenshot(page, 'stuck');

    await row.getByRole('button', { name: `Replay order ${orderId}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay 1 saga' });
    await dialog
      .locator('tr[data-result="dry_run"]')
      .getByText('payment.authorize', { exact: true })
      .waitFor();
    await ui.screenshot(page, 'stuck-preview');
    const reason = 'payment provider is back';
    await dialog.getByLabel(/Reason/).fill(reason);
    await dialog.getByRole('button', { name: 'Replay 1 saga' }).click();
    await dialog.locator('tr[data-result="applied"]').waitFor();
    await dialog.getByRole('link', { name: orderId }).click();

    await page.locator('.saga-header .badge', { hasText: 'Completed' }).waitFor();
    const replayed = page.locator('li[data-type="ADMIN_REPLAY"] .event-summary');
    expect(await replayed.innerText()).to.equal(`replay by console: ${reason}`);
    expect(await page.locator('.marker[data-lane="operator"]').count()).to.equal(1);
    await ui.screenshot(page, 'saga-replayed');
    ui.expectClean(page);
  });

  it('console, given a STUCK saga open without the token, when Replay is pressed, then the token is asked for, the dry run follows, and the page shows the saga complete', async () => {
    const orderId = await stuckOrder();
    const page = await ui.newPage();
    await page.goto(ui.url(`/orders/${orderId}`));
    await page.getByText('Watching', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Replay…' }).click();
    const signIn = page.getByRole('dialog', { name: 'Sign in as an operator' });
    await signIn.getByRole('textbox', { name: 'Admin token' }).fill(TEST_ADMIN_TOKEN);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay 1 saga' });
    await dialog.locator('tr[data-result="dry_run"]').waitFor();
    await dialog.getByLabel(/Reason/).fill('retry after the provider fix');
    await dialog.getByRole('button', { name: 'Replay 1 saga' }).click();
    await dialog.locator('tr[data-result="applied"]').waitFor();
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

    await page.locator('.saga-header .badge', { hasText: 'Completed' }).waitFor();
    await page.locator('li[data-type="ADMIN_REPLAY"]').waitFor();
    ui.expectClean(page);
  });

  it('console, given a STUCK saga, when it is selected and cancelled, then it ends CANCELLED with the reason on its timeline as text, never as markup', async () => {
    const orderId = await stuckOrder();
    const page = await signedInAt('/stuck');
    await page.getByLabel(`Select order ${orderId}`).check();

    await page.getByRole('button', { name: 'Cancel selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel 1 saga' });
    await dialog.locator(`tr[data-result="dry_run"]`).waitFor();
    const reason = 'customer called <em>twice</em> to cancel';
    await dialog.getByLabel(/Reason/).fill(reason);
    await dialog.getByLabel('Your name').fill('dana');
    await dialog.getByRole('button', { name: 'Cancel 1 saga' }).click();
    await dialog.locator('tr[data-result="applied"]').waitFor();

    expect((await ui.settled(orderId)).status).to.equal('CANCELLED');
    await page.goto(ui.url(`/orders/${orderId}`));
    const cancelled = page.locator('li[data-type="ADMIN_CANCEL"] .event-summary');
    expect(await cancelled.innerText()).to.equal(`cancel by dana: ${reason}`);
    expect(await page.locator('.events em').count(), 'markup in a reason stays text').to.equal(0);
    await page.locator('.saga-header .badge', { hasText: 'Cancelled' }).waitFor();
    ui.expectClean(page);
  });

  it('console, given a dead letter of a STUCK saga, when it is replayed from the dead-letter page, then its saga resumes and completes', async () => {
    const orderId = await stuckOrder();
    const page = await signedInAt('/dead-letters');
    const queue = page.locator('section[data-queue="payment.commands.dlq"]');
    const row = queue.locator(`tr[data-order="${orderId}"]`);
    await row.waitFor();
    expect(await row.innerText()).to.match(/SIMULATED_ERROR/);
    await ui.screenshot(page, 'dead-letters');

    await row.getByRole('checkbox').check();
    await queue.getByRole('button', { name: 'Replay selected (1)…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay 1 dead letter' });
    await dialog.getByRole('link', { name: orderId }).waitFor();
    await dialog.getByRole('button', { name: 'Replay 1' }).click();
    await dialog.getByText('Replayed 1 message. 1 saga resumed.').waitFor();

    expect((await ui.settled(orderId)).status).to.equal('COMPLETED');
    ui.expectClean(page);
  });

  it('console, given the faults page, when a rule is added with the form, removed, then another cleared, then the workers get exactly those rules', async () => {
    const page = await signedInAt('/faults');
    const rules = async () =>
      (
        await ui.admin<{ rules: Array<{ target: string; mode: string }> }>('/admin/faults')
      ).body.rules.map((rule) => `${rule.mode} on ${rule.target}`);

    await page.getByLabel('Target').selectOption('shipping');
    await page.getByLabel('Mode').selectOption('latency');
    await page.getByLabel('Probability (0–1)').fill('0.1');
    await page.getByLabel('Latency (ms)').fill('50');
    await page.getByLabel('Expires after (s)').fill('60');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('button', { name: 'Remove the latency rule on shipping' }).waitFor();
    expect(await rules()).to.deep.equal(['latency on shipping']);
    await ui.screenshot(page, 'faults');

    await page.getByRole('button', { name: 'Remove the latency rule on shipping' }).click();
    await page.getByText('No rule is active').waitFor();
    expect(await rules()).to.deep.equal([]);

    await page.getByLabel('Mode').selectOption('error');
    await page.getByLabel('Probability (0–1)').fill('0');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('button', { name: 'Remove the error rule on shipping' }).waitFor();
    await page.getByRole('button', { name: 'Clear all…' }).click();
    await page.getByRole('button', { name: 'Clear all rules' }).click();
    await page.getByText('No rule is active').waitFor();
    expect(await rules()).to.deep.equal([]);
    ui.expectClean(page);
  });

  it('console, given sagas that ended, retried and got stuck, when the overview is open, then it shows their outcomes, retries, dead letters and the oldest stuck saga', async () => {
    const orderId = await stuckOrder();
    const page = await signedInAt('/stuck');
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Overview' })
      .click();

    const tile = (name: string) => page.getByRole('region', { name });
    await tile('Oldest stuck saga').getByRole('link', { name: orderId }).waitFor();
    await tile('Outcomes').getByText('Completed').waitFor();
    await tile('Retries').locator('.depths li', { hasText: 'payment · worker error' }).waitFor();
    const deadLetters = await tile('Dead letters').locator('.big-value').innerText();
    expect(Number(deadLetters)).to.be.greaterThan(0);
    await tile('Latency, order to completion').getByText('p95').waitFor();
    await ui.screenshot(page, 'overview');
    ui.expectClean(page);
  });
});
