import { expect } from 'chai';
import express from 'express';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { consoleRoutes } from '../../coordinator/http/console';
import { problemHandler } from '../../lib/http/problem';

const workerPorts = { payment: 9101, inventory: 9102, shipping: 9103 };

async function serve(directory: string): Promise<{ url: string; server: Server }> {
  const app = express().use(consoleRoutes({ workerPorts, directory }));
  app.use(problemHandler(() => undefined));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('console route', () => {
  let built: { url: string; server: Server };
  let unbuilt: { url: string; server: Server };

  before(async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'console-route-'));
    mkdirSync(path.join(directory, 'assets'));
    writeFileSync(path.join(directory, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(path.join(directory, 'assets', 'main-3f2a1b.js'), 'export {};');
    writeFileSync(path.join(directory, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    built = await serve(directory);
    unbuilt = await serve(path.join(directory, 'no-such-build'));
  });

  after(async () => {
    await Promise.all(
      [built, unbuilt].map((s) => new Promise((resolve) => s?.server.close(resolve))),
    );
  });

  it('console route, given a built console, when /console is opened, then it answers the page with a same-origin-only CSP and no caching', async () => {
    const response = await fetch(`${built.url}/console`);

    expect(response.status).to.equal(200);
    expect(await response.text()).to.contain('<title>console</title>');
    expect(response.headers.get('content-security-policy')).to.match(/default-src 'self'/);
    expect(response.headers.get('content-security-policy')).not.to.match(/unsafe-inline/);
    expect(response.headers.get('cache-control')).to.equal('no-cache');
    expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
  });

  it('console route, given a client-side route with a dot in an order id, when it is opened, then it answers the page', async () => {
    const response = await fetch(`${built.url}/console/orders/a.b-1`);

    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/text\/html/);
  });

  it('console route, given a hashed asset, when it is fetched, then it may be cached for a year', async () => {
    const response = await fetch(`${built.url}/console/assets/main-3f2a1b.js`);

    expect(response.status).to.equal(200);
    expect(response.headers.get('cache-control')).to.match(/max-age=31536000.*immutable/);
    expect(response.headers.get('content-security-policy')).to.match(/default-src 'self'/);
  });

  it('console route, given an asset that does not exist, when it is fetched, then it is a problem 404 and not the page', async () => {
    const response = await fetch(`${built.url}/console/assets/gone-000.js`);

    expect(response.status).to.equal(404);
    expect(response.headers.get('content-type')).to.match(/application\/problem\+json/);
  });

  it('console route, given worker ports, when the console reads its config, then it gets them uncached', async () => {
    const response = await fetch(`${built.url}/console/config.json`);

    expect(response.status).to.equal(200);
    expect(response.headers.get('cache-control')).to.equal('no-store');
    expect(await response.json()).to.deep.equal({ worker_ports: workerPorts });
  });

  it('console route, given no build, when /console is opened, then it is a 503 saying how to build it', async () => {
    const response = await fetch(`${unbuilt.url}/console/stuck`);

    expect(response.status).to.equal(503);
    expect(((await response.json()) as { detail: string }).detail).to.match(/npm run build/);
  });
});
