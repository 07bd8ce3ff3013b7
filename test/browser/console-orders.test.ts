import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ConsoleHarness, UI_TIMEOUT_MS } from './harness';

/** Long enough for the saga page to be open before the first timeout fires. */
const STEP_TIMEOUT_SECONDS = 5;

describe('operator console: orders and sagas (browser, all four services)', function () {
  this.timeout(60_000);
  const ui = new ConsoleHarness();

  before(async () => {
    await ui.start('browserorders', { STEP_TIMEOUT_SECONDS: String(STEP_TIMEOUT_SECONDS) });
  });

  after(async () => {
    await ui.stop();
  });

  it('console, given a completed order, when an operator finds it by id, then its saga shows COMPLETED with every step on the timeline and each event opens to its JSON', async () => {
    const orderId = `find-${randomUUID().slice(0, 8)}`;
    await ui.placeOrder(orderId, { items: [{ sku: 'Pen', quantity: 2 }] });
    expect((await ui.settled(orderId)).status).to.equal('COMPLETED');
    const page = await ui.newPage();

    await page.goto(ui.url(''));
    await page
      .locator('.count[data-status="COMPLETED"] .count-value')
      .filter({ hasText: /\d/ })
      .waitFor();
    await page.locator(`tr[data-order="${orderId}"]`).waitFor();
    await ui.screenshot(page, 'orders');
    await page.getByLabel('Find an order by id').fill(orderId);
    await page.getByRole('button', { name: 'Open' }).click();

    await page.getByRole('heading', { name: `Order ${orderId}` }).waitFor();
    await page.locator('li[data-type="SAGA_COMPLETED"]').waitFor();
    expect(await page.locator('.saga-header .badge').textContent()).to.equal('Completed');
    const lanes = await page
      .locator('.marker[data-type="STEP_SUCCEEDED"]')
      .evaluateAll((markers) => markers.map((m) => m.getAttribute('data-lane')));
    expect(lanes).to.deep.equal(['payment', 'inventory', 'shipping']);
    expect(await page.locator('.attempt.outcome-succeeded').count()).to.equal(3);
    await page.locator('.facts').getByText('v1').waitFor();
    const payment = page.getByRole('link', { name: /Payment authorizations/ });
    expect(await payment.getAttribute('href')).to.equal(
      `${ui.system.url('payment')}/payments/${orderId}`,
    );

    await page.locator('.marker[data-type="REPLY_RECEIVED"][data-lane="inventory"]').click();
    const json = page.locator('li[data-type="REPLY_RECEIVED"] details[open] pre.json');
    await json.waitFor();
    expect(JSON.parse(await json.innerText())).to.include({
      type: 'REPLY_RECEIVED',
      reply: 'inventory.reserved',
    });
    await page.locator('.marker[data-type="SAGA_STARTED"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.locator('li[data-type="COMMAND_SENT"] details[open] pre.json').first().waitFor();
    await ui.screenshot(page, 'saga');
    ui.expectClean(page);
  });

  it('console, given a saga whose payment times out once, when its page is open, then the timeout, the re-send and the completion appear live without reloading or polling', async () => {
    const orderId = `live-${randomUUID().slice(0, 8)}`;
    await ui.placeOrder(orderId, { simulate: { step: 'payment', mode: 'timeout', times: 1 } });
    const page = await ui.newPage();

    await page.goto(ui.url(`/orders/${orderId}`));
    await page.locator('li[data-type="COMMAND_SENT"]').first().waitFor();
    await page.evaluate(() => Object.assign(globalThis, { stillTheSamePage: true }));
    const before = await page
      .locator('li[data-type]')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-type')));
    expect(before, 'the page opened after the saga had moved on').not.to.include('STEP_TIMED_OUT');
    await page.getByText('Live', { exact: true }).waitFor();
    await ui.screenshot(page, 'saga-live');

    await page.locator('li[data-type="STEP_TIMED_OUT"]').waitFor({
      timeout: STEP_TIMEOUT_SECONDS * 1000 + UI_TIMEOUT_MS,
    });
    await page.locator('li[data-type="SAGA_COMPLETED"]').waitFor();
    await page.locator('.saga-header .badge', { hasText: 'Completed' }).waitFor();
    await page.getByText('Ended', { exact: true }).waitFor();

    expect(await page.evaluate(() => 'stillTheSamePage' in globalThis)).to.equal(true);
    expect(await page.locator('.attempt.outcome-timed-out').count()).to.equal(1);
    const follows = ui
      .record(page)
      .requests.filter((r) => new URL(r.url).pathname.endsWith('/timeline'));
    // A long poll answers once per change; polling would have asked dozens of times by now.
    expect(follows.length, follows.map((r) => r.url).join('\n')).to.be.within(2, 10);
    expect(follows.slice(1).every((r) => /after=\d+&wait=\d+/.test(r.url))).to.equal(true);
    ui.expectClean(page);
  });

  it('console, given a client-side route, when it is loaded directly, then the coordinator answers the page under a same-origin-only policy', async () => {
    const page = await ui.newPage();

    const response = await page.goto(ui.url('/stuck'));

    expect(response?.status()).to.equal(200);
    expect(response?.headers()['content-security-policy']).to.match(/default-src 'self'/);
    await page.getByRole('heading', { name: 'Stuck sagas' }).waitFor();
    await page.getByLabel('Admin token').waitFor();
    ui.expectClean(page);
  });
});
