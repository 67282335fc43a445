/**
 * Test support: the real control server and voice engine (the server's own test harness), with
 * live recorded calls for the backend contract. Node only.
 */
import { createServer } from 'node:net';
import type { TaskRecordingState } from '@pause-recording/core';
import { sdk, startSystem, waitUntil, type System } from '@pause-recording/server/test-support';
import type { LiveTask } from '../../src/features/pause-recording/helpers/backend-contract.ts';

/** One recording per call (the conference's), so the template's single pause covers the task. */
export const CONTRACT_SETTINGS = {
  call_recording_enabled: true,
  features: { pause_recording: { enabled: true }, dual_channel_recording: { enabled: false } },
};

export async function startRealSystem(settings: unknown = CONTRACT_SETTINGS): Promise<System> {
  // Under jsdom (the component tests) the engine mixes audio on its own thread: its audio worker
  // threads do not run inside jsdom's globals (the recordings never start). The threads are the
  // engine's business and are tested in Node (voice-engine/test/audio-threads.test.ts, every server test).
  return startSystem({ settings, ...(typeof window !== 'undefined' ? { audioThreads: 0 } : {}) });
}

/** A Flex token minted by the engine (as Twilio's IAM would for a signed-in agent). */
export async function flexToken(s: System, identity: string, roles: string[] = ['agent']): Promise<string> {
  const res = await fetch(`${s.engine.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Basic ' + Buffer.from(`${s.engine.accountSid}:${s.engine.authToken}`).toString('base64'),
    },
    body: JSON.stringify({ identity, roles, ttlSeconds: 3600 }),
  });
  if (!res.ok) throw new Error(`flex token: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** A URL on loopback where nothing listens. */
export async function closedUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** The live tasks `liveTask` made, per system: ended before the next, so TaskRouter reserves the agent again. */
const made = new WeakMap<System, string[]>();

/** A new call routed to `agent`, accepted, with its recording capturing (the agent's earlier live tasks are hung up and completed first). */
export async function liveTask(s: System, agent: string, serverToken: string): Promise<LiveTask> {
  const earlier = made.get(s) ?? [];
  made.set(s, earlier);
  for (const sid of earlier.splice(0)) {
    await s.api('POST', `/api/tasks/${sid}/hangup`, { token: serverToken });
    await s.api('POST', `/api/tasks/${sid}/complete`, { token: serverToken });
  }
  const taskSid = await s.call(serverToken, agent, 300);
  earlier.push(taskSid);
  // TaskRouter reserves the agent once the earlier task's completion made them available.
  await waitUntil('the agent to accept', async () => {
    const r = await s.api('POST', `/api/tasks/${taskSid}/accept`, { token: serverToken });
    if (r.status !== 200 && r.status !== 403) throw new Error(`accept: ${r.status} ${r.text}`);
    return r.status === 200;
  });
  const truth = async (): Promise<TaskRecordingState> => {
    const g = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: serverToken });
    if (g.status !== 200) throw new Error(`recording state: ${g.status} ${g.text}`);
    return g.body as unknown as TaskRecordingState;
  };
  await waitUntil('the recording to capture', async () => (await truth()).status === 'recording');
  const record = s.server.tasks.get(taskSid);
  if (record === null) throw new Error(`task ${taskSid} vanished`);
  return {
    task: {
      // The local contact center has no reservations; the task SID stands in for one.
      sid: taskSid,
      taskSid,
      attributes: record.attributes,
      conference: {
        conferenceSid: record.conferenceSid ?? undefined,
        participants: [
          { participantType: 'customer', callSid: record.attributes.call_sid },
          { participantType: 'worker', isCurrentWorker: true, callSid: record.workerCallSid ?? undefined },
        ],
      },
    },
    truth,
    async stopRecordings() {
      const client = sdk(s);
      for (const rec of (await truth()).recordings) {
        if (rec.conferenceSid !== null) await client.conferences(rec.conferenceSid).recordings(rec.sid).update({ status: 'stopped' });
        else if (rec.callSid !== null) await client.calls(rec.callSid).recordings(rec.sid).update({ status: 'stopped' });
      }
      await waitUntil('the recordings to stop', async () => (await truth()).status === 'not-recording');
    },
  };
}
