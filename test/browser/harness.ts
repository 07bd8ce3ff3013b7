/**
 * What the console's browser tests share: the four services on a namespace of their own,
 * Debian's Chromium driven by playwright-core, orders placed through the API, and a record of
 * every request and console message of each page, to prove nothing left the coordinator's origin
 * and no Content-Security-Policy violation happened.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import { OrderView, request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, createNamespace } from '../helpers/namespace';
import { System } from '../helpers/system';

export const CHROMIUM = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Every page visited is saved here (git-ignored); the README shows copies of a few. */
export const SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots/latest');
/** How long a test waits for something to show: generous for a loaded 2-core machine. */
export const UI_TIMEOUT_MS = 15_000;

export interface PageRecord {
  requests: Array<{ url: string; authorization: string | undefined }>;
  problems: string[];
}

export class ConsoleHarness {
  system!: System;
  api = '';
  private browser!: Browser;
  private readonly contexts: BrowserContext[] = [];
  private readonly records = new Map<Page, PageRecord>();

  async start(label: string, env: Record<string, string> = {}): Promise<void> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    this.system = new System(await createNamespace(label, env));
    const [browser] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs }),
      this.system.start(),
    ]);
    this.browser = browser;
    this.api = this.system.url('coordinator');
  }

  async stop(): Promise<void> {
    await Promise.all(this.contexts.map((context) => context.close().catch(() => undefined)));
    await this.browser?.close();
    await this.system?.stop();
  }

  /** A fresh browser session (its own sessionStorage), with its traffic recorded. */
  async newPage(): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: 1440, height: 900 } });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const record: PageRecord = { requests: [], problems: [] };
    page.on('request', (req) =>
      record.requests.push({ url: req.url(), authorization: req.headers().authorization }),
    );
    // A failed request is logged as an error too (a wrong token's 403, say): only a blocked
    // resource or script counts as a problem.
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
        record.problems.push(message.text());
    });
    page.on('pageerror', (error) => record.problems.push(error.message));
    this.records.set(page, record);
    return page;
  }

  record(page: Page): PageRecord {
    return this.records.get(page)!;
  }

  /**
   * Every request went to the coordinator, the token only with `/admin/` ones, and no script
   * error or Content-Security-Policy violation was reported.
   */
  expectClean(page: Page): void {
    const { requests, problems } = this.record(page);
    const origin = new URL(this.api).origin;
    const foreign = requests.filter((r) => new URL(r.url).origin !== origin);
    const leaked = requests.filter(
      (r) => r.authorization !== undefined && !new URL(r.url).pathname.startsWith('/admin/'),
    );
    expect(
      foreign.map((r) => r.url),
      'requests to another origin',
    ).to.deep.equal([]);
    expect(
      leaked.map((r) => r.url),
      'the admin token outside /admin/',
    ).to.deep.equal([]);
    expect(problems, 'script errors and CSP violations').to.deep.equal([]);
  }

  url(consolePath: string): string {
    return `${this.api}/console${consolePath}`;
  }

  async screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** Signs in on an admin page of a fresh session, as an operator would. */
  async signIn(page: Page): Promise<void> {
    await page.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Admin signed in').waitFor();
  }

  async placeOrder(orderId: string, extra: Record<string, unknown> = {}): Promise<void> {
    const answer = await request(`${this.api}/orders`, {
      body: { order_id: orderId, user_id: 'browser', items: ['Book'], total: 12.5, ...extra },
    });
    if (answer.status !== 202) throw new Error(`order ${orderId}: ${JSON.stringify(answer)}`);
  }

  /** The order once it is COMPLETED, CANCELLED or STUCK (the API holds the request until then). */
  async settled(orderId: string): Promise<OrderView> {
    return (await request<OrderView>(`${this.api}/orders/${orderId}?wait=20`)).body;
  }

  admin<T>(path: string, init: { method?: string; body?: unknown } = {}) {
    return request<T>(`${this.api}${path}`, { ...init, token: TEST_ADMIN_TOKEN });
  }
}
