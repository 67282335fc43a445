import type { RecordingListItem } from '@pause-recording/core';
import { useEffect, useState } from 'react';
import type { DesktopApi } from '../../lib/api-client.ts';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { formatDuration } from '../../lib/time-format.ts';

/** Recordings the caller may see (their own; all for a supervisor), newest first. */
export function RecordingsPage({ api, onOpen }: { api: Pick<DesktopApi, 'recordings'>; onOpen: (sid: string) => void }) {
  const t = useT();
  const [rows, setRows] = useState<readonly RecordingListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.recordings().then(
      ({ recordings }) => {
        // The server names each recording's agent (the task's), so no task list is needed here.
        if (live) setRows([...recordings].sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? '')));
      },
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <section className="recordings" aria-labelledby="recordings-title">
      <h2 id="recordings-title">{t('recordingsTitle')}</h2>
      {error !== null ? <p role="alert">{error}</p> : null}
      {rows !== null && rows.length === 0 ? <p>{t('noRecordings')}</p> : null}
      {rows !== null && rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('colTask')}</th>
              <th scope="col">{t('colAgent')}</th>
              <th scope="col">{t('colStart')}</th>
              <th scope="col">{t('colDuration')}</th>
              <th scope="col">{t('colChannels')}</th>
              <th scope="col">{t('colStatus')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('colActions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((rec) => (
              <tr key={rec.sid}>
                <td>
                  <code>{rec.taskSid ?? '—'}</code>
                </td>
                <td>{rec.agent ?? '—'}</td>
                <td>{rec.startTime === null ? '—' : new Date(rec.startTime).toLocaleString()}</td>
                <td>{rec.duration === null ? '—' : formatDuration(Number(rec.duration))}</td>
                <td>{rec.channels}</td>
                <td>{rec.status}</td>
                <td>
                  <button type="button" aria-label={`${t('open')} ${rec.sid}`} onClick={() => onOpen(rec.sid)}>
                    {t('open')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
