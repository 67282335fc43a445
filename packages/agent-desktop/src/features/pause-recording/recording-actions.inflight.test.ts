import type { TaskRecordingState } from '@pause-recording/core';
import { describe, expect, it } from 'vitest';
import type { DesktopApi, RecordingChange } from '../../lib/api-client.ts';
import type { NotificationRequest, Notifier } from '../../lib/notifier.ts';
import { RecordingStates } from '../../lib/recording-states.ts';
import { recState, task, TASK_SID, uiConfig } from '../../../test/support/fixtures.ts';
import { ActionsRegistry } from '../actions/actions-registry.ts';
import { registerRecordingActions } from './recording-actions.ts';

/**
 * A shortcut pressed while a pause/resume request is in flight, or a live event arriving during it
 * (issue 5, races): answers and events may come back in any order, and a late answer must not
 * overwrite the truth.
 */
class HeldApi implements Pick<DesktopApi, 'changeRecording' | 'recordingState'> {
  readonly held: { change: RecordingChange; answer: (s: TaskRecordingState) => void }[] = [];
  reads = 0;
  constructor(public truth: TaskRecordingState) {}
  changeRecording(_sid: string, change: RecordingChange): Promise<TaskRecordingState> {
    return new Promise((answer) => this.held.push({ change, answer }));
  }
  async recordingState(): Promise<TaskRecordingState> {
    this.reads++;
    return this.truth;
  }
}

class Quiet implements Notifier {
  readonly shown: NotificationRequest[] = [];
  notify(n: NotificationRequest): void {
    this.shown.push(n);
  }
  dismiss(): void {}
}

const paused = recState({ status: 'paused', pausedAt: '2026-11-26T15:00:10.000Z', pausedBy: 'alice' });
const recording = recState({ status: 'recording' });

function setup(api: HeldApi) {
  const actions = new ActionsRegistry();
  const states = new RecordingStates();
  registerRecordingActions({ actions, api, states, notifier: new Quiet(), config: () => uiConfig() });
  return { actions, states };
}

describe('a shortcut pressed during an in-flight request', () => {
  it('stays pending until every request is answered, and shows the server state, not a stale answer', async () => {
    const api = new HeldApi(recording);
    const { actions, states } = setup(api);
    const first = actions.invokeAction('PauseCallRecording', { task: task() });
    const second = actions.invokeAction('ToggleCallRecording', { task: task() });
    await Promise.resolve();
    expect(api.held.map((h) => h.change)).toEqual(['pause', 'toggle']);
    // The server ran the pause, then the toggle (a resume); the toggle's answer arrives first.
    api.held[1]!.answer(recording);
    await second;
    expect(states.get(TASK_SID).pending).toBe(true);
    api.held[0]!.answer(paused);
    await first;
    expect(states.get(TASK_SID).pending).toBe(false);
    expect(states.get(TASK_SID).state?.status).toBe('recording');
    expect(api.reads).toBe(1); // the overlap is settled by asking the server once
  });

  it('a live event that disagrees with a late answer is settled by the server', async () => {
    // alice pauses; before her answer arrives, the supervisor's resume reaches her as a live event.
    const api = new HeldApi(recording);
    const { actions, states } = setup(api);
    const p = actions.invokeAction('PauseCallRecording', { task: task() });
    await Promise.resolve();
    states.set(recording);
    api.held[0]!.answer(paused);
    await p;
    expect(states.get(TASK_SID)).toMatchObject({ pending: false, state: { status: 'recording' } });
    expect(api.reads).toBe(1);
  });

  it('the echo of its own change (a live event that agrees) needs no extra read', async () => {
    const api = new HeldApi(paused);
    const { actions, states } = setup(api);
    const p = actions.invokeAction('PauseCallRecording', { task: task() });
    await Promise.resolve();
    states.set(paused);
    api.held[0]!.answer(paused);
    await p;
    expect(states.get(TASK_SID)).toMatchObject({ pending: false, state: { status: 'paused' } });
    expect(api.reads).toBe(0);
  });

  it('a single request stores its answer without an extra read', async () => {
    const api = new HeldApi(paused);
    const { actions, states } = setup(api);
    const p = actions.invokeAction('PauseCallRecording', { task: task() });
    await Promise.resolve();
    api.held[0]!.answer(paused);
    await p;
    expect(states.get(TASK_SID)).toMatchObject({ pending: false, state: { status: 'paused' } });
    expect(api.reads).toBe(0);
  });
});
