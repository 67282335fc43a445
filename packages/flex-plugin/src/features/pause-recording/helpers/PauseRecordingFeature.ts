import type { FeatureConfig } from '../config/index.ts';
import { NotificationIds } from '../flex-hooks/notifications.ts';
import type { RecordingTask, RecordingView } from '../types/RecordingTask.ts';
import { BackendError, type LiveKind, type RecordingBackend } from './RecordingBackend.ts';
import { elapsedSince } from './elapsed.ts';
import type { RecordingStore } from './RecordingStore.ts';

export type RecordingChange = 'pause' | 'resume' | 'toggle';

export interface FeatureDeps {
  readonly backend: RecordingBackend;
  readonly store: RecordingStore;
  readonly config: FeatureConfig;
  /** Flex's `Notifications.showNotification`. */
  readonly notify: (id: string, context?: Record<string, unknown>) => void;
  /** Flex's `Actions.invokeAction` (the button goes through the actions, so listeners apply). */
  readonly invoke: (action: string, payload: Record<string, unknown>) => Promise<unknown>;
  /** Flex's `TaskHelper.isLiveCall`. */
  readonly isLiveCall: (task: RecordingTask) => boolean;
  /** Does the signed-in worker hold this task (Flex's `worker.tasks`)? A supervisor's stream carries every task. */
  readonly holdsTask: (taskSid: string) => boolean;
  /** Dismisses the active notifications `id` shown for `taskSid` (Flex's `Notifications.dismissNotification`). */
  readonly dismiss: (id: string, taskSid: string) => void;
}

/** Internal (agent-to-agent) calls are not recorded by this feature, as in the seed. */
export function isInternalCall(task: RecordingTask | null | undefined): boolean {
  return task?.attributes?.client_call === true || task?.attributes?.['internal_call'] === true;
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What the three Flex actions do: ask the backend, keep its answer, tell the agent. The
 * all-or-nothing rule: "paused" is shown only when nothing captures; a partial pause raises the
 * alarm instead of the paused banner.
 */
export class PauseRecordingFeature {
  private stopLive: (() => void) | null = null;

  constructor(readonly d: FeatureDeps) {}

  /** Starts listening to the backend's pushed views (the server's live events). */
  start(): void {
    this.stopLive ??= this.d.backend.subscribe((view, kind) => this.onLive(view, kind));
  }

  stop(): void {
    this.stopLive?.();
    this.stopLive = null;
    this.d.backend.close();
  }

  private onLive(view: RecordingView, kind: LiveKind): void {
    const before = this.d.store.get(view.taskSid).view?.status;
    this.d.store.set(view);
    // Notices are for the agent holding the task; a supervisor sees other agents' tasks in the Teams view column.
    if (!this.d.holdsTask(view.taskSid)) return;
    const context = { taskSid: view.taskSid };
    if (kind === 'reminder' && view.status !== 'recording') this.d.notify(NotificationIds.REMINDER, { ...context, time: elapsedSince(view.pausedAt) });
    // A reminder left open after the recording resumed would tell the agent something false.
    if (view.status === 'recording' || view.status === 'not-recording') this.d.dismiss(NotificationIds.REMINDER, view.taskSid);
    if (kind === 'auto-resumed') this.d.notify(NotificationIds.AUTO_RESUMED, context);
    // A change of this tab's own in flight is announced by `run`.
    const own = this.d.store.get(view.taskSid).pending && kind === 'state';
    if (!own && (kind === 'alarm' || view.status === 'partially-paused') && before !== 'partially-paused') {
      this.d.notify(NotificationIds.PARTIALLY_PAUSED, { ...context, count: view.capturing.length });
    }
  }

  /** Can the button act on this task now: a live call, not internal, with a recording. */
  canChange(task: RecordingTask | null | undefined): boolean {
    if (!task || isInternalCall(task) || !this.d.isLiveCall(task)) return false;
    return this.d.store.get(task.taskSid).view?.status !== 'not-recording';
  }

  /** Loads the backend's view of a task the plugin has not seen yet (the button's first render). */
  async refresh(task: RecordingTask): Promise<void> {
    try {
      this.d.store.set(await this.d.backend.current(task));
    } catch {
      // Unknown stays unknown: the next change or live event brings the truth.
    }
  }

  async run(task: RecordingTask | null | undefined, change: RecordingChange): Promise<RecordingView | null> {
    if (!this.d.config.isFeatureEnabled() || !task || isInternalCall(task) || !this.d.isLiveCall(task)) return null;
    const { store, backend } = this.d;
    const before = store.get(task.taskSid).view?.status;
    store.setPending(task.taskSid, true);
    try {
      const view = change === 'pause' ? await backend.pause(task) : change === 'resume' ? await backend.resume(task) : await backend.toggle(task);
      store.set(view);
      this.announce(view, before);
      return view;
    } catch (e) {
      const resuming = change === 'resume' || (change === 'toggle' && before === 'paused');
      if (e instanceof BackendError && e.failure === 'no-recording') this.d.notify(NotificationIds.NO_RECORDING);
      else this.d.notify(resuming ? NotificationIds.RESUME_FAILED : NotificationIds.PAUSE_FAILED, { reason: reasonOf(e) });
      // Show the backend's truth rather than a guess.
      await this.refresh(task);
      return null;
    } finally {
      store.setPending(task.taskSid, false);
    }
  }

  private announce(view: RecordingView, before: string | undefined): void {
    if (view.status === before) return;
    if (view.status === 'partially-paused') {
      // Safety first: the alarm shows whatever the banner setting says.
      this.d.notify(NotificationIds.PARTIALLY_PAUSED, { count: view.capturing.length });
      return;
    }
    if (!this.d.config.isBannerIndicatorEnabled()) return;
    if (view.status === 'paused') this.d.notify(NotificationIds.RECORDING_PAUSED);
    if (view.status === 'recording') this.d.notify(NotificationIds.RESUME_RECORDING);
  }
}
