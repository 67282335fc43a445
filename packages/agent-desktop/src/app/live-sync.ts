import type { TaskView } from '@pause-recording/core';
import { applyRecordingEvent } from '../features/pause-recording/index.ts';
import { ApiError } from '../lib/api-client.ts';
import { openLiveEvents } from '../lib/live-events.ts';
import type { DesktopServices } from './services.ts';

const LIVE: ReadonlySet<TaskView['status']> = new Set(['assigned', 'wrapping']);

/** Loads the caller's tasks and their recording states, then keeps them current from the event stream. */
export function startLiveSync(s: DesktopServices): () => void {
  const refresh = async (): Promise<void> => {
    const since = s.tasks.mark();
    const { tasks } = await s.api.tasks();
    s.tasks.replaceAll(tasks, since);
    if (s.tasks.selected() === null) {
      const live = tasks.find((t) => t.status === 'assigned' && t.worker === s.session.identity);
      if (live !== undefined) s.tasks.select(live.sid);
    }
    await Promise.all(tasks.filter((t) => LIVE.has(t.status)).map(async (t) => s.states.set(await s.api.recordingState(t.sid))));
  };
  // Reconnects re-run refresh: whatever changed while the stream was down is fetched again.
  // A 401 for a new ticket means the session is over (signed out, expired): no point retrying.
  const isFatal = (err: unknown): boolean => err instanceof ApiError && err.status === 401;
  return openLiveEvents(
    () => s.api.eventsUrl(),
    {
      onOpen: () => void refresh().catch(() => undefined),
      onEvent: (e) => {
        if (e.type === 'task.offered' || e.type === 'task.updated') {
          s.tasks.upsert(e.task);
          if (LIVE.has(e.task.status)) {
            s.api.recordingState(e.task.sid).then(
              (st) => s.states.set(st),
              () => undefined,
            );
          }
          return;
        }
        applyRecordingEvent(e, { states: s.states, notifier: s.notifications });
      },
    },
    { isFatal },
  );
}
