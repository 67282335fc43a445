import type { TaskAction, TaskView } from '@pause-recording/core';
import type { ReactNode } from 'react';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { formatDuration, secondsSince } from '../../lib/time-format.ts';
import { useNow } from '../../lib/use-now.ts';

export interface CallCanvasProps {
  readonly task: TaskView;
  readonly onAction: (task: TaskView, action: TaskAction) => void;
  /** Controls other features put on the canvas (the pause button, indicators), like Flex's CallCanvas.Content. */
  readonly children?: ReactNode;
}

/** The selected call: caller, call timer, Hang up; then wrap-up and Complete. */
export function CallCanvas({ task, onAction, children }: CallCanvasProps) {
  const t = useT();
  const live = task.status === 'assigned';
  const now = useNow(live);
  return (
    <section className="call-canvas" aria-labelledby="call-title">
      <h2 id="call-title">{task.status === 'wrapping' ? t('wrapUp') : t('callCanvas')}</h2>
      <dl className="call-facts">
        <dt>{t('caller')}</dt>
        <dd>{task.attributes.from}</dd>
        {/* The call time counts from the accept (ringing is not talking); none before it. */}
        {task.acceptedAt !== null ? (
          <>
            <dt>{t('callTime')}</dt>
            <dd>
              <time dateTime={task.acceptedAt}>{formatDuration(secondsSince(task.acceptedAt, live ? now : Date.parse(task.updatedAt)))}</time>
            </dd>
          </>
        ) : null}
      </dl>
      <div className="call-controls">
        {children}
        {live ? (
          <button type="button" className="hang-up" onClick={() => onAction(task, 'hangup')}>
            {t('hangUp')}
          </button>
        ) : null}
        {task.status === 'wrapping' ? (
          <button type="button" className="complete" onClick={() => onAction(task, 'complete')}>
            {t('complete')}
          </button>
        ) : null}
      </div>
    </section>
  );
}
