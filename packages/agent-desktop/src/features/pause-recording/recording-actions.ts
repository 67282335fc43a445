import type { TaskRecordingState, TaskView, UiConfig } from '@pause-recording/core';
import type { ActionsRegistry } from '../actions/actions-registry.ts';
import { ApiError, type DesktopApi, type RecordingChange } from '../../lib/api-client.ts';
import type { Notifier } from '../../lib/notifier.ts';
import type { RecordingStates } from '../../lib/recording-states.ts';
import { isBannerIndicatorEnabled, isPauseRecordingEnabled } from '../../lib/ui-config.ts';

export interface RecordingActionDeps {
  readonly actions: ActionsRegistry;
  readonly api: Pick<DesktopApi, 'changeRecording' | 'recordingState'>;
  readonly states: RecordingStates;
  readonly notifier: Notifier;
  readonly config: () => UiConfig;
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Registers ToggleCallRecording, PauseCallRecording and ResumeCallRecording. Each asks the server
 * and shows the state it answers; toggle lets the server decide from the recordings' real state.
 */
export function registerRecordingActions(deps: RecordingActionDeps): void {
  const { actions, api, states, notifier } = deps;

  // Requests in flight per task, and whether two of them overlapped (a shortcut pressed during a
  // request) or a disagreeing live event came in meanwhile: answers and events may arrive in any
  // order, so none of them can be trusted as the last word.
  const inFlight = new Map<string, { count: number; overlapped: boolean }>();

  const run = async (task: TaskView, change: RecordingChange): Promise<TaskRecordingState | null> => {
    if (!isPauseRecordingEnabled(deps.config())) return null;
    const before = states.get(task.sid).state?.status;
    const flight = inFlight.get(task.sid) ?? { count: 0, overlapped: false };
    flight.count++;
    if (flight.count > 1) flight.overlapped = true;
    inFlight.set(task.sid, flight);
    states.setPending(task.sid, true);
    const revision = states.revision(task.sid);
    try {
      const state = await api.changeRecording(task.sid, change);
      // A live event stored meanwhile that disagrees (someone else changed it after us, or our
      // answer is late): neither can be trusted as the last word, so the server is asked below.
      const meanwhile = states.revision(task.sid) !== revision ? states.get(task.sid).state : undefined;
      if (meanwhile !== undefined && meanwhile.status !== state.status) flight.overlapped = true;
      if (!flight.overlapped) states.set(state);
      // Pausing a paused call is a no-op on the server (as the seed's "pause if recording"): no second banner.
      if (state.status !== before) announce(state, change);
      return state;
    } catch (e) {
      await failed(task, change, e);
      return null;
    } finally {
      flight.count--;
      if (flight.count === 0) {
        inFlight.delete(task.sid);
        if (flight.overlapped) {
          // Overlapping answers settled: ask the server what is true now.
          try {
            states.set(await api.recordingState(task.sid));
          } catch {
            // Unreachable: the live events (or the next read) bring the truth.
          }
        }
        states.setPending(task.sid, false);
      }
    }
  };

  const announce = (state: TaskRecordingState, change: RecordingChange): void => {
    // Partially-paused is the alarm's business (sticky, from the state watcher), never a success banner.
    if (!isBannerIndicatorEnabled(deps.config())) return;
    const id = `recording:${state.taskSid}`;
    if (state.status === 'paused' && change !== 'resume') notifier.notify({ id, kind: 'warning', message: 'notifPaused' });
    if (state.status === 'recording' && change !== 'pause') notifier.notify({ id, kind: 'success', message: 'notifResumed' });
  };

  const failed = async (task: TaskView, change: RecordingChange, e: unknown): Promise<void> => {
    // Whatever went wrong, show the server's truth rather than a guess.
    let fresh: TaskRecordingState | null = null;
    try {
      fresh = await api.recordingState(task.sid);
      states.set(fresh);
    } catch {
      // The server is unreachable: the failure banner below says enough.
    }
    const id = `recording:${task.sid}`;
    if (e instanceof ApiError && e.code === 'CONFLICT' && fresh?.status === 'not-recording') {
      notifier.notify({ id, kind: 'warning', message: 'notifNoRecording' });
      return;
    }
    const resuming = change === 'resume' || (change === 'toggle' && fresh?.status === 'paused');
    notifier.notify({ id, kind: 'error', message: resuming ? 'notifResumeFailed' : 'notifPauseFailed', params: { reason: reasonOf(e) } });
  };

  actions.registerAction('PauseCallRecording', ({ task }) => run(task, 'pause'));
  actions.registerAction('ResumeCallRecording', ({ task }) => run(task, 'resume'));
  actions.registerAction('ToggleCallRecording', ({ task }) => run(task, 'toggle'));
}
