import type { TaskAction, TaskView } from '@pause-recording/core';
import { useCallback } from 'react';
import { PauseRecordingButton, RecordingPausedPanel, RecordingStateBadge } from '../features/pause-recording/index.ts';
import { CallCanvas, TaskList } from '../features/tasks/index.ts';
import { useT } from '../lib/i18n/i18n-context.tsx';
import { useTasks } from '../lib/task-board.ts';
import { isPauseRecordingEnabled, isPermanentIndicatorEnabled } from '../lib/ui-config.ts';
import type { DesktopServices } from './services.ts';

/** The agent's main page: task list on the left, the selected call's canvas on the right. */
export function DesktopPage({ services: s }: { services: DesktopServices }) {
  const t = useT();
  const { tasks, selectedSid } = useTasks(s.tasks);
  const selected = tasks.find((x) => x.sid === selectedSid) ?? null;

  const onAction = useCallback(
    (task: TaskView, action: TaskAction) => {
      s.api.taskAction(task.sid, action).then(
        ({ task: updated }) => {
          s.tasks.upsert(updated);
          if (action === 'accept') s.tasks.select(updated.sid);
          if (action === 'complete' || action === 'reject') s.tasks.select(null);
          if (action === 'accept' || action === 'hangup')
            s.api.recordingState(updated.sid).then(
              (st) => s.states.set(st),
              () => undefined,
            );
        },
        (e: unknown) =>
          s.notifications.notify({
            id: `task:${task.sid}`,
            kind: 'error',
            message: 'taskActionFailed',
            params: { reason: e instanceof Error ? e.message : String(e) },
          }),
      );
    },
    [s],
  );

  const pauseEnabled = isPauseRecordingEnabled(s.config);
  return (
    <div className="desktop">
      <div className="desktop-side">
        <TaskList tasks={tasks} selectedSid={selectedSid} onSelect={(sid) => s.tasks.select(sid)} onAction={onAction} />
        {s.config.mode === 'embedded' ? (
          <button type="button" className="secondary" onClick={() => void s.api.simulateCall(s.session.identity).catch(() => undefined)}>
            {t('placeCall')}
          </button>
        ) : null}
      </div>
      <div className="desktop-main">
        {selected === null ? (
          <p className="hint">{t('selectTask')}</p>
        ) : (
          <CallCanvas task={selected} onAction={onAction}>
            {pauseEnabled ? (
              <>
                <PauseRecordingButton task={selected} actions={s.actions} states={s.states} />
                <RecordingStateBadge task={selected} states={s.states} />
              </>
            ) : null}
          </CallCanvas>
        )}
        {selected !== null && pauseEnabled ? <RecordingPausedPanel task={selected} states={s.states} enabled={isPermanentIndicatorEnabled(s.config)} /> : null}
      </div>
    </div>
  );
}
