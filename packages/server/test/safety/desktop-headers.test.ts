/**
 * Security headers on the desktop itself (issue 5): the built agent desktop served by the server
 * (index, client routes through the SPA fallback, assets) and answers Fastify gives before routing
 * (a malformed URL) carry the same headers as the API (http/web-security.test.ts covers the API).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../src/http/web-security.ts';
import { startSystem, type System } from '../support/system.ts';

let s: System;
beforeAll(async () => {
  const desktop = mkdtempSync(join(tmpdir(), 'desktop-dist-'));
  mkdirSync(join(desktop, 'assets'));
  writeFileSync(join(desktop, 'index.html'), '<!doctype html><title>desktop</title><div id="root"></div>');
  writeFileSync(join(desktop, 'assets', 'app.js'), 'console.log(1)');
  s = await startSystem({ env: { DESKTOP_DIR: desktop } });
});
afterAll(async () => {
  await s.close();
});

describe('security headers on the desktop', () => {
  it('index, client routes, assets and malformed URLs all carry them', async () => {
    const cases: [string, number, string][] = [
      ['/', 200, 'text/html'],
      ['/tasks/WT0123', 200, 'text/html'],
      ['/assets/app.js', 200, 'javascript'],
      ['/%ZZ', 400, 'application/json'],
    ];
    for (const [path, status, type] of cases) {
      const r = await fetch(s.url + path);
      expect([path, r.status, (r.headers.get('content-type') ?? '').includes(type)]).toEqual([path, status, true]);
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect([path, k, r.headers.get(k)]).toEqual([path, k, v]);
      expect([path, r.headers.get('x-permitted-cross-domain-policies')]).toEqual([path, 'none']);
    }
  });
});
