// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadServerConfig, startServer, type RunningServer } from '@pause-recording/server';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createHttpApi } from '../src/lib/api-client.ts';

// The real client against a real control server and voice engine on loopback.
let engine: RunningEngine;
let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desktop-api-'));
  engine = await startEngine({ dataDir: join(dataDir, 'engine'), audio: 'stamped', devRoutes: true });
  const config = loadServerConfig(
    {
      PORT: '0',
      DATA_DIR: join(dataDir, 'server'),
      ENGINE_URL: engine.url,
      TWILIO_ACCOUNT_SID: engine.accountSid,
      TWILIO_AUTH_TOKEN: engine.authToken,
      CONFIG: 'settings.json',
    },
    () => JSON.stringify({ features: { pause_recording: { include_silence: true } } }),
  );
  server = await startServer(config, { logger: createLogger('silent') });
});

afterAll(async () => {
  await engine?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('createHttpApi', () => {
  it('signs in, takes a simulated call, and pauses, toggles and reads the recording through the server', async () => {
    let token: string | null = null;
    const api = createHttpApi(server.url, () => token);
    const session = await api.login('alice', 'demo');
    token = session.token;
    expect(session).toMatchObject({ identity: 'alice', roles: ['agent'] });
    expect((await api.me()).identity).toBe('alice');
    expect((await api.config()).pauseRecording.includeSilence).toBe(true);

    const call = await api.simulateCall('alice');
    expect(call.taskSid).toMatch(/^WT/);
    const sid = call.taskSid ?? '';
    expect((await api.tasks()).tasks.find((t) => t.sid === sid)?.status).toBe('reserved');
    expect((await api.taskAction(sid, 'accept')).task.status).toBe('assigned');
    expect((await api.recordingState(sid)).status).toBe('recording');

    const paused = await api.changeRecording(sid, 'pause');
    expect(paused).toMatchObject({ status: 'paused', pausedBy: 'alice', pauseBehavior: 'silence' });
    expect((await api.changeRecording(sid, 'toggle')).status).toBe('recording');

    await api.taskAction(sid, 'hangup');
    const { recordings } = await api.recordings();
    const mine = recordings.filter((r) => r.taskSid === sid);
    expect(mine.length).toBeGreaterThan(0);
    const first = mine[0]?.sid ?? '';
    expect((await api.recording(first)).pauses).toHaveLength(1);
    const media = await api.recordingMedia(first);
    expect(new TextDecoder().decode((await media.arrayBuffer()).slice(0, 4))).toBe('RIFF');
    // The stream URL carries a single-use ticket, never the bearer token.
    const events = await api.eventsUrl();
    expect(events).toMatch(new RegExp(`^${server.url}/api/events\\?ticket=[\\w-]{43}$`));
    expect(events).not.toContain(token);
    const ac = new AbortController();
    expect((await fetch(events, { signal: ac.signal })).status).toBe(200);
    ac.abort();
    expect((await fetch(events)).status).toBe(401);
  });

  it('signs out: the token is refused afterwards, also for a new stream ticket', async () => {
    let token: string | null = null;
    const api = createHttpApi(server.url, () => token);
    token = (await api.login('bob', 'demo')).token;
    await api.logout();
    await expect(api.me()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await expect(api.eventsUrl()).rejects.toMatchObject({ status: 401 });
  });

  it('turns error answers into ApiError with the server status, code and message', async () => {
    const api = createHttpApi(server.url, () => null);
    const err = await api.login('alice', 'wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    const unauth = await api.tasks().catch((e: unknown) => e);
    expect(unauth).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
