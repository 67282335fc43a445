import type { TaskRecordingStatus, TaskView } from '@pause-recording/core';
import { useEffect } from 'react';
import type { ActionsRegistry } from '../actions/actions-registry.ts';
import type { DesktopApi } from '../../lib/api-client.ts';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { useRecordingEntries, type RecordingStates } from '../../lib/recording-states.ts';
import { useTasks, type TaskBoard } from '../../lib/task-board.ts';
import { formatDuration, secondsSince } from '../../lib/time-format.ts';
import { useNow } from '../../lib/use-now.ts';

// Alarms first: a recording that captures while the agent thinks it is paused needs eyes now.
const ORDER: Readonly<Record<TaskRecordingStatus, number>> = { 'partially-paused': 0, paused: 1, recording: 2, 'not-recording': 3 };

export interface SupervisorViewProps {
  readonly api: Pick<DesktopApi, 'recordingState'>;
  readonly actions: ActionsRegistry;
  readonly states: RecordingStates;
  readonly tasks: TaskBoard;
}

/** Every live call with its recording state; the supervisor may pause or resume any of them. */
export function SupervisorView({ api, actions, states, tasks }: SupervisorViewProps) {
  const t = useT();
  const { tasks: all } = useTasks(tasks);
  const entries = useRecordingEntries(states);
  const live = all.filter((x) => x.status === 'assigned');
  const now = useNow(live.length > 0);

  const liveKey = live.map((x) => x.sid).join(',');
  useEffect(() => {
    for (const sid of liveKey.split(',').filter((x) => x !== '')) {
      api.recordingState(sid).then(
        (s) => states.set(s),
        () => undefined,
      );
    }
  }, [api, states, liveKey]);

  const rows = live
    .map((task) => ({ task, entry: entries.get(task.sid) }))
    .sort((a, b) => ORDER[a.entry?.state?.status ?? 'not-recording'] - ORDER[b.entry?.state?.status ?? 'not-recording']);

  const act = (task: TaskView, paused: boolean): void => {
    actions.invokeAction(paused ? 'ResumeCallRecording' : 'PauseCallRecording', { task }).catch(() => undefined);
  };

  return (
    <section className="supervisor" aria-labelledby="supervisor-title">
      <h2 id="supervisor-title">{t('supervisorTitle')}</h2>
      {rows.length === 0 ? <p>{t('noLiveCalls')}</p> : null}
      {rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('colCaller')}</th>
              <th scope="col">{t('colAgent')}</th>
              <th scope="col">{t('colState')}</th>
              <th scope="col">{t('colPausedBy')}</th>
              <th scope="col">{t('colPausedFor')}</th>
              <th scope="col">{t('colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ task, entry }) => {
              const s = entry?.state;
              const paused = s?.status === 'paused';
              const label = paused ? t('resumeRecording') : t('pauseRecording');
              return (
                <tr
                  key={task.sid}
                  className={s?.status === 'partially-paused' ? 'is-alarm' : undefined}
                  aria-label={`${task.attributes.from} ${task.worker ?? ''}`}
                >
                  <td>{task.attributes.from}</td>
                  <td>{task.worker ?? '—'}</td>
                  <td className={`recording-state-${s?.status ?? 'unknown'}`}>{s === undefined ? '…' : t(`state_${s.status}`)}</td>
                  <td>{s?.pausedBy ?? '—'}</td>
                  <td>{s?.pausedAt != null ? formatDuration(secondsSince(s.pausedAt, now)) : '—'}</td>
                  <td>
                    <button
                      type="button"
                      className={`pause-recording-button${paused ? ' is-paused' : ''}`}
                      aria-pressed={paused}
                      aria-label={`${label}: ${task.attributes.from}`}
                      title={label}
                      disabled={entry?.pending === true || s === undefined || task.attributes.client_call}
                      onClick={() => act(task, paused)}
                    >
                      {label}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
