/**
 * The one contract both backends run (shared suite, hono style): each implementation file calls
 * `backendContract` with a harness that starts its real target. Runs in Node (vitest), real HTTP.
 */
import type { TaskRecordingState } from '@pause-recording/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingTask } from '../types/RecordingTask.ts';
import { BackendError, type RecordingBackend, type TokenSource } from './RecordingBackend.ts';

export interface LiveTask {
  readonly task: RecordingTask;
  /** The server's truth about the task's recordings (what the WAV will show). */
  truth(): Promise<TaskRecordingState>;
  /** Stops every recording of the call (Twilio's `status=stopped`), leaving the call live. */
  stopRecordings(): Promise<void>;
}

export interface ContractTarget {
  /** A backend pointed at the target, with the given token source. */
  backend(token: TokenSource): RecordingBackend;
  /** A valid token for the agent the live tasks belong to. */
  readonly token: string;
  /** A new live, recorded call accepted by the agent. */
  liveTask(): Promise<LiveTask>;
  /** A backend whose target does not answer (closed port). */
  unreachable(): RecordingBackend;
  close(): Promise<void>;
}

async function failureOf(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BackendError) return e;
    throw e;
  }
  throw new Error('expected a BackendError, the call succeeded');
}

export function backendContract(name: string, start: () => Promise<ContractTarget>): void {
  describe(`RecordingBackend contract: ${name}`, () => {
    let t: ContractTarget;
    let backend: RecordingBackend;
    beforeAll(async () => {
      t = await start();
      backend = t.backend(() => t.token);
    });
    afterAll(async () => {
      backend?.close();
      await t?.close();
    });

    it('pause pauses the real recording and resume resumes it', async () => {
      const live = await t.liveTask();
      const paused = await backend.pause(live.task);
      expect(paused).toMatchObject({ taskSid: live.task.taskSid, status: 'paused' });
      expect(await live.truth()).toMatchObject({ status: 'paused', capturing: [] });
      expect((await backend.current(live.task)).status).toBe('paused');

      const resumed = await backend.resume(live.task);
      expect(resumed.status).toBe('recording');
      expect((await live.truth()).status).toBe('recording');
      expect((await backend.current(live.task)).status).toBe('recording');
    });

    it('toggle pauses a recording call and resumes a paused one', async () => {
      const live = await t.liveTask();
      expect((await backend.toggle(live.task)).status).toBe('paused');
      expect((await live.truth()).status).toBe('paused');
      expect((await backend.toggle(live.task)).status).toBe('recording');
      expect((await live.truth()).status).toBe('recording');
    });

    it('pausing a paused call keeps it paused without an error', async () => {
      const live = await t.liveTask();
      await backend.pause(live.task);
      expect((await backend.pause(live.task)).status).toBe('paused');
      expect((await live.truth()).status).toBe('paused');
      await backend.resume(live.task);
    });

    it('tells every subscriber about its own changes', async () => {
      const live = await t.liveTask();
      const seen: string[] = [];
      const off = backend.subscribe((v) => {
        if (v.taskSid === live.task.taskSid) seen.push(v.status);
      });
      try {
        await backend.pause(live.task);
        await backend.resume(live.task);
        expect(seen).toContain('paused');
        expect(seen.at(-1)).toBe('recording');
      } finally {
        off();
      }
    });

    it('a token the target refuses is "unauthorized" and changes nothing', async () => {
      const live = await t.liveTask();
      const bad = t.backend(() => 'not-a-token');
      const e = await failureOf(bad.pause(live.task));
      expect(e.failure).toBe('unauthorized');
      expect((await live.truth()).status).toBe('recording');
      bad.close();
    });

    it('a call whose recording was stopped is "no-recording"', async () => {
      const live = await t.liveTask();
      await live.stopRecordings();
      const e = await failureOf(backend.pause(live.task));
      expect(e.failure).toBe('no-recording');
      expect((await live.truth()).status).toBe('not-recording');
    });

    it('a target that does not answer is "unreachable"', async () => {
      const live = await t.liveTask();
      const down = t.unreachable();
      expect((await failureOf(down.pause(live.task))).failure).toBe('unreachable');
      down.close();
    });
  });
}
