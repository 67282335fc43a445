/**
 * Embedded mode (issue 9, item 3): the engine mints Flex tokens for any identity with any role
 * claim, so an identity the server does not know never gets supervisor rights from the claim
 * alone; a known identity has its directory role whatever the token says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../support/system.ts';

let s: System;
let taskSid: string;
let conferenceSid: string;
beforeAll(async () => {
  s = await startSystem({ settings: { call_recording_enabled: true } });
  ({ taskSid } = await s.acceptedCall('alice'));
  conferenceSid = s.server.tasks.get(taskSid)!.conferenceSid!;
});
afterAll(async () => {
  await s.close();
});

async function flexToken(identity: string, roles: string[]): Promise<string> {
  const res = await fetch(`${s.engine.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(`${s.engine.accountSid}:${s.engine.authToken}`).toString('base64') },
    body: JSON.stringify({ identity, roles }),
  });
  expect(res.status).toBeLessThan(300);
  return ((await res.json()) as { token: string }).token;
}

const pause = (token: string) => s.api('POST', '/features/pause-recording/flex/pause-conference-recording', { form: { Token: token, conferenceSid } });

describe('Flex roles in embedded mode', () => {
  it("gives an unknown identity claiming supervisor no supervisor rights over alice's call", async () => {
    const r = await pause(await flexToken('mallory', ['supervisor', 'admin']));
    expect([r.status, r.body['success'], r.body['message']]).toEqual([
      403,
      false,
      'conferenceSid: mallory is no TaskRouter worker (no worker with contact_uri client:mallory)',
    ]);
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: await s.login('sam') })).body['status']).toBe('recording');
  });

  it('gives a known agent claiming supervisor only the agent role, and a known supervisor the supervisor role', async () => {
    const bob = await pause(await flexToken('bob', ['supervisor']));
    expect([bob.status, bob.body['message']]).toEqual([
      403,
      expect.stringMatching(/^conferenceSid: bob holds no accepted or wrapping reservation on the task of conference CF/),
    ]);
    const sam = await pause(await flexToken('sam', ['agent']));
    expect([sam.status, sam.body['success']]).toEqual([200, true]);
    const last = s.server.audit.query({ taskSid }).at(-1)!;
    expect([last.action, last.actor, last.role]).toEqual(['pause', 'sam', 'supervisor']);
  });
});
