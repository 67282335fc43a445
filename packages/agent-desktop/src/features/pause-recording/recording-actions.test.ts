import type { TaskRecordingState } from '@pause-recording/core';
import { describe, expect, it } from 'vitest';
import { ApiError, type DesktopApi, type RecordingChange } from '../../lib/api-client.ts';
import type { NotificationRequest, Notifier } from '../../lib/notifier.ts';
import { RecordingStates } from '../../lib/recording-states.ts';
import { recState, task, TASK_SID, uiConfig } from '../../../test/support/fixtures.ts';
import { ActionsRegistry } from '../actions/actions-registry.ts';
import { registerRecordingActions } from './recording-actions.ts';

/** A small server stand-in: answers each change with the next queued result, and the state on GET. */
class ScriptedApi implements Pick<DesktopApi, 'changeRecording' | 'recordingState'> {
  readonly calls: RecordingChange[] = [];
  constructor(
    private readonly answers: (TaskRecordingState | Error)[],
    private readonly current: TaskRecordingState = recState(),
  ) {}
  async changeRecording(_sid: string, change: RecordingChange): Promise<TaskRecordingState> {
    this.calls.push(change);
    const a = this.answers.shift();
    if (a === undefined) throw new Error('no scripted answer');
    if (a instanceof Error) throw a;
    return a;
  }
  async recordingState(): Promise<TaskRecordingState> {
    return this.current;
  }
}

class Recorder implements Notifier {
  readonly shown: NotificationRequest[] = [];
  readonly dismissed: string[] = [];
  notify(n: NotificationRequest): void {
    this.shown.push(n);
  }
  dismiss(id: string): void {
    this.dismissed.push(id);
  }
}

function setup(api: ScriptedApi, config = uiConfig()) {
  const actions = new ActionsRegistry();
  const states = new RecordingStates();
  const notifier = new Recorder();
  registerRecordingActions({ actions, api, states, notifier, config: () => config });
  return { actions, states, notifier };
}

const paused = recState({ status: 'paused', pausedAt: '2026-11-26T15:00:10.000Z', pausedBy: 'alice' });

describe('recording actions', () => {
  it('PauseCallRecording asks the server, stores its answer and shows the paused banner', async () => {
    const api = new ScriptedApi([paused]);
    const { actions, states, notifier } = setup(api);
    const result = await actions.invokeAction('PauseCallRecording', { task: task() });
    expect(api.calls).toEqual(['pause']);
    expect(result?.status).toBe('paused');
    expect(states.get(TASK_SID).state?.status).toBe('paused');
    expect(states.get(TASK_SID).pending).toBe(false);
    expect(notifier.shown.map((n) => [n.kind, n.message])).toEqual([['warning', 'notifPaused']]);
  });

  it('ResumeCallRecording shows the resumed banner (success)', async () => {
    const { actions, notifier } = setup(new ScriptedApi([recState({ status: 'recording' })]));
    await actions.invokeAction('ResumeCallRecording', { task: task() });
    expect(notifier.shown.map((n) => [n.kind, n.message])).toEqual([['success', 'notifResumed']]);
  });

  it('shows no pause/resume banners when indicator_banner is off', async () => {
    const { actions, notifier, states } = setup(new ScriptedApi([paused]), uiConfig({ indicatorBanner: false }));
    await actions.invokeAction('PauseCallRecording', { task: task() });
    expect(states.get(TASK_SID).state?.status).toBe('paused');
    expect(notifier.shown).toEqual([]);
  });

  it('is pending while the request is in flight', async () => {
    let release: (s: TaskRecordingState) => void = () => undefined;
    const api = new ScriptedApi([]);
    api.changeRecording = () => new Promise((r) => (release = r));
    const { actions, states } = setup(api);
    const done = actions.invokeAction('PauseCallRecording', { task: task() });
    expect(states.get(TASK_SID).pending).toBe(true);
    release(paused);
    await done;
    expect(states.get(TASK_SID).pending).toBe(false);
  });

  it('a failed pause shows "pause failed" with the reason and keeps the server state, never "paused"', async () => {
    const api = new ScriptedApi([new ApiError(503, 'UPSTREAM_UNAVAILABLE', 'could not pause any recording')], recState({ status: 'recording' }));
    const { actions, states, notifier } = setup(api);
    await actions.invokeAction('PauseCallRecording', { task: task() });
    expect(states.get(TASK_SID).state?.status).toBe('recording');
    expect(notifier.shown).toEqual([
      { id: `recording:${TASK_SID}`, kind: 'error', message: 'notifPauseFailed', params: { reason: 'could not pause any recording' } },
    ]);
  });

  it('a failed resume says "resume failed"', async () => {
    const api = new ScriptedApi([new ApiError(503, 'UPSTREAM_UNAVAILABLE', 'down')], paused);
    const { actions, notifier } = setup(api);
    await actions.invokeAction('ResumeCallRecording', { task: task() });
    expect(notifier.shown[0]?.message).toBe('notifResumeFailed');
  });

  it('pausing a task with no recording warns "no recording to pause"', async () => {
    const api = new ScriptedApi([new ApiError(409, 'CONFLICT', 'task has no active recording to pause')], recState({ status: 'not-recording' }));
    const { actions, notifier } = setup(api);
    await actions.invokeAction('PauseCallRecording', { task: task() });
    expect(notifier.shown.map((n) => [n.kind, n.message])).toEqual([['warning', 'notifNoRecording']]);
  });

  it('ToggleCallRecording lets the server decide and announces what it did', async () => {
    const api = new ScriptedApi([paused, recState({ status: 'recording' })]);
    const { actions, notifier } = setup(api);
    await actions.invokeAction('ToggleCallRecording', { task: task() });
    await actions.invokeAction('ToggleCallRecording', { task: task() });
    expect(api.calls).toEqual(['toggle', 'toggle']);
    expect(notifier.shown.map((n) => n.message)).toEqual(['notifPaused', 'notifResumed']);
  });

  it('pausing an already paused call shows no second banner', async () => {
    const { actions, states, notifier } = setup(new ScriptedApi([paused]));
    states.set(paused);
    await actions.invokeAction('PauseCallRecording', { task: task() });
    expect(notifier.shown).toEqual([]);
  });

  it('a partially-paused answer is never announced as paused', async () => {
    const { actions, notifier } = setup(new ScriptedApi([recState({ status: 'partially-paused', capturing: ['RE1'] })]));
    await actions.invokeAction('PauseCallRecording', { task: task() });
    expect(notifier.shown.map((n) => n.message)).not.toContain('notifPaused');
  });

  it('does nothing when pause_recording is disabled', async () => {
    const api = new ScriptedApi([paused]);
    const { actions } = setup(api, uiConfig({ enabled: false }));
    expect(await actions.invokeAction('PauseCallRecording', { task: task() })).toBeNull();
    expect(api.calls).toEqual([]);
  });
});
