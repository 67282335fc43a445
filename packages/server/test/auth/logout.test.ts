/**
 * Logout (issue 9, item 6): `POST /api/auth/logout` revokes the presented token, on every route
 * that takes it (API, seed routes, stream tickets), and the revocation survives a restart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../support/system.ts';

const systems: System[] = [];
afterAll(async () => {
  for (const s of systems.reverse()) await s.close();
});

describe('logout', () => {
  it('revokes the token for good (also after a restart with the same data folder), and only that session', async () => {
    const s = await startSystem();
    systems.push(s);
    const gone = await s.login('alice');
    const other = await s.login('alice');
    expect((await s.api('GET', '/api/me', { token: gone })).status).toBe(200);

    const out = await s.api('POST', '/api/auth/logout', { token: gone });
    expect(out.status).toBe(204);
    const again = await s.api('GET', '/api/me', { token: gone });
    expect([again.status, again.body.error?.message]).toEqual([401, 'authorization: the bearer token is revoked (signed out)']);
    expect((await s.api('POST', '/api/events/ticket', { token: gone })).status).toBe(401);
    expect((await s.api('POST', '/api/auth/logout', { token: gone })).status).toBe(401);
    // The seed routes take the same token in a form field: refused there too.
    const seed = await s.api('POST', '/features/pause-recording/flex/pause-call-recording', { form: { Token: gone, callSid: 'CA' + '0'.repeat(32) } });
    // The Functions' token validator refuses with 403.
    expect([seed.status, seed.text]).toEqual([403, 'Invalid Access Token signature']);
    // Another session of the same user is untouched.
    expect((await s.api('GET', '/api/me', { token: other })).status).toBe(200);

    await s.server.close();
    const restarted = await startSystem({ dataDir: s.dataDir, engine: s.engine });
    systems.push(restarted);
    expect((await restarted.api('GET', '/api/me', { token: gone })).status).toBe(401);
    expect((await restarted.api('GET', '/api/me', { token: other })).status).toBe(200);
  });

  it('refuses a logout with a body it does not know, revoking nothing', async () => {
    const s = await startSystem();
    systems.push(s);
    const token = await s.login('bob');
    const r = await s.api('POST', '/api/auth/logout', { token, json: { everywhere: true } });
    expect([r.status, r.body.error?.field]).toEqual([400, 'everywhere']);
    expect((await s.api('GET', '/api/me', { token })).status).toBe(200);
  });
});
