import { Template } from '@twilio/flex-ui';
import { useEffect, useState } from 'react';
import type { PauseRecordingFeature } from '../helpers/PauseRecordingFeature.ts';
import { elapsedSince } from '../helpers/elapsed.ts';
import type { RecordingEntry } from '../helpers/RecordingStore.ts';
import { StringTemplates } from '../strings/index.ts';
import type { RecordingTask } from '../types/RecordingTask.ts';

/** One row of Flex's Teams view: a worker and the tasks they hold (Flex's `SupervisorWorkerState`). */
export interface WorkerRow {
  readonly worker: { readonly sid: string };
  readonly tasks?: readonly RecordingTask[];
}

export interface PausedRecordingCellProps {
  readonly item: WorkerRow;
  readonly feature: PauseRecordingFeature;
}

const PAUSED_STATES = new Set(['paused', 'partially-paused']);

/** The entries of the row's tasks, re-read on every store change. */
function useEntries(feature: PauseRecordingFeature, sids: readonly string[]): ReadonlyArray<readonly [string, RecordingEntry]> {
  const { store } = feature.d;
  const read = (): Array<readonly [string, RecordingEntry]> => sids.map((sid) => [sid, store.get(sid)] as const);
  const [entries, setEntries] = useState(read);
  const key = sids.join(',');
  useEffect(() => {
    setEntries(read());
    return store.subscribe(() => setEntries(read()));
    // `key` stands for `sids` (a new array on every render of the table).
  }, [store, key]);
  return entries;
}

/** A clock that ticks every second while `running` (the elapsed times move on their own). */
function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

/**
 * The supervisor's cell in the Teams view: which of the worker's tasks has a paused recording and
 * for how long (live). The server's live events keep the store current; a task the plugin has not
 * heard of yet is read once. A partial pause says it still records: never shown as plainly paused.
 */
export function PausedRecordingCell({ item, feature }: PausedRecordingCellProps) {
  const tasks = item.tasks ?? [];
  const entries = useEntries(
    feature,
    tasks.map((t) => t.taskSid),
  );
  const key = tasks.map((t) => t.taskSid).join(',');
  useEffect(() => {
    for (const t of tasks) if (feature.d.store.get(t.taskSid).view === null) void feature.refresh(t);
    // Once per set of tasks shown, not per re-render of the table.
  }, [feature, key]);
  const paused = entries.flatMap(([sid, e]) => (e.view !== null && PAUSED_STATES.has(e.view.status) ? [{ sid, view: e.view }] : []));
  const now = useNow(paused.length > 0);
  if (paused.length === 0) return null;
  return (
    <>
      {paused.map(({ sid, view }) => {
        const partial = view.status === 'partially-paused';
        return (
          <div
            key={sid}
            data-testid="recording-paused-cell"
            data-task-sid={sid}
            data-status={view.status}
            role={partial ? 'alert' : 'status'}
            style={partial ? { color: '#c72323', fontWeight: 'bold' } : { fontWeight: 'bold' }}
          >
            <Template code={partial ? StringTemplates.COLUMN_PARTIAL_FOR : StringTemplates.COLUMN_PAUSED_FOR} time={elapsedSince(view.pausedAt, now)} />
          </div>
        );
      })}
    </>
  );
}
