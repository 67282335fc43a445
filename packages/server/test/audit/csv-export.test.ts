/**
 * The audit CSV export (issue 9, item 7): a cell that a spreadsheet would run as a formula (a
 * Flex identity or a reason can be any text) is exported as text, per OWASP's CSV injection advice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../support/system.ts';

let s: System;
beforeAll(async () => {
  s = await startSystem();
});
afterAll(async () => {
  await s.close();
});

describe('GET /api/audit?format=csv', () => {
  it('starts no cell with = + - @ tab or CR', async () => {
    const hostile = ['=HYPERLINK("http://evil.example","open")', "+1+cmd|' /C calc'!A0", '-2+3', '@SUM(1,2)', '\t=1', '\r=1'];
    for (const actor of hostile) {
      await s.server.ledger.append({
        action: 'pause',
        outcome: 'ok',
        actor,
        role: 'flex',
        taskSid: null,
        callSid: null,
        conferenceSid: null,
        recordingSids: [],
        details: { reason: actor },
      });
    }
    const r = await s.api('GET', '/api/audit?format=csv', { token: await s.login('sam') });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    // Split into cells the way a spreadsheet does (RFC 4180 quotes), then look at how each starts.
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < r.text.length; i++) {
      const c = r.text[i]!;
      if (quoted && c === '"' && r.text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = !quoted;
      } else if (!quoted && (c === ',' || c === '\n')) {
        cells.push(cell);
        cell = '';
      } else if (quoted || c !== '\r') {
        cell += c;
      }
    }
    const actors = cells.filter((c) => hostile.some((h) => c.endsWith(h)));
    expect(actors.length).toBeGreaterThanOrEqual(hostile.length);
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    for (const h of hostile) expect(cells).toContain(`'${h}`);
  });
});
