import type { TaskAction, TaskView } from '@pause-recording/core';
import { useT } from '../../lib/i18n/i18n-context.tsx';

export interface TaskListProps {
  readonly tasks: readonly TaskView[];
  readonly selectedSid: string | null;
  readonly onSelect: (sid: string) => void;
  readonly onAction: (task: TaskView, action: TaskAction) => void;
}

/** The agent's open tasks: incoming offers with Accept / Reject, and the calls to select. */
export function TaskList({ tasks, selectedSid, onSelect, onAction }: TaskListProps) {
  const t = useT();
  const open = tasks.filter((x) => x.status !== 'completed' && x.status !== 'canceled');
  return (
    <section className="task-list" aria-labelledby="tasks-title">
      <h2 id="tasks-title">{t('tasks')}</h2>
      {open.length === 0 ? <p>{t('noTasks')}</p> : null}
      <ul>
        {open.map((task) => (
          <li key={task.sid} className={task.sid === selectedSid ? 'is-selected' : undefined}>
            {task.status === 'reserved' ? (
              <div className="offer" role="group" aria-label={t('incomingCall', { from: task.attributes.from })}>
                <span>{t('incomingCall', { from: task.attributes.from })}</span>
                <button type="button" className="accept" onClick={() => onAction(task, 'accept')}>
                  {t('accept')}
                </button>
                <button type="button" className="reject" onClick={() => onAction(task, 'reject')}>
                  {t('reject')}
                </button>
              </div>
            ) : (
              <button type="button" className="task-select" aria-current={task.sid === selectedSid} onClick={() => onSelect(task.sid)}>
                {task.attributes.from} · {t(`taskStatus_${task.status}`)}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
