import type { RecordingDetail } from '@pause-recording/core';
import { useEffect, useState } from 'react';
import type { DesktopApi } from '../../lib/api-client.ts';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { formatDuration } from '../../lib/time-format.ts';
import { summarizeWav, type WavSummary } from './wav.ts';
import { Waveform } from './Waveform.tsx';

interface Loaded {
  readonly detail: RecordingDetail;
  readonly wav: WavSummary | null;
  readonly mediaUrl: string;
}

/** One recording: player, waveform with the paused spans, their list, and the WAV download. */
export function RecordingDetailPage({ api, sid, onBack }: { api: Pick<DesktopApi, 'recording' | 'recordingMedia'>; sid: string; onBack: () => void }) {
  const t = useT();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let url: string | null = null;
    (async () => {
      const detail = await api.recording(sid);
      // The media route needs the bearer token, which an <audio src> cannot send: fetch it, play the blob.
      const blob = await api.recordingMedia(sid);
      url = URL.createObjectURL(blob);
      let wav: WavSummary | null = null;
      try {
        wav = summarizeWav(await blob.arrayBuffer(), 400);
      } catch {
        wav = null;
      }
      if (live) setLoaded({ detail, wav, mediaUrl: url });
    })().catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
      if (url !== null) URL.revokeObjectURL(url);
    };
  }, [api, sid]);

  return (
    <section className="recording-detail" aria-labelledby="recording-title">
      <button type="button" className="secondary" onClick={onBack}>
        ← {t('back')}
      </button>
      <h2 id="recording-title">
        {t('recordingsTitle')}: <code>{sid}</code>
      </h2>
      {error !== null ? <p role="alert">{error}</p> : null}
      {loaded !== null ? (
        <>
          <p>
            {t('colTask')}: <code>{loaded.detail.taskSid ?? '—'}</code> · {t('colStatus')}: {loaded.detail.status} · {t('colChannels')}:{' '}
            {loaded.detail.channels}
            {loaded.detail.duration !== null ? ` · ${t('colDuration')}: ${formatDuration(Number(loaded.detail.duration))}` : null}
          </p>
          <audio controls src={loaded.mediaUrl} aria-label={sid} />
          <p>
            <a href={loaded.mediaUrl} download={`${sid}.wav`}>
              {t('download')}
            </a>
          </p>
          {loaded.wav !== null ? <Waveform sid={sid} wav={loaded.wav} pauses={loaded.detail.pauses} /> : null}
          <h3>{t('pausedSpans')}</h3>
          {loaded.detail.pauses.length === 0 ? <p>{t('noPausedSpans')}</p> : null}
          <ul className="paused-span-list" aria-label={t('pausedSpans')}>
            {loaded.detail.pauses.map((p, i) => (
              <li key={i}>
                {t('pausedSpan', {
                  behavior: t(`behavior_${p.behavior}`),
                  who: p.pausedBy,
                  when: new Date(p.pausedAt).toLocaleTimeString(),
                  // Capture-log positions are exact to the 20 ms frame; server-clock ones are marked approximate.
                  offset: `${p.timing === 'capture' ? '' : '≈'}${p.offsetSeconds.toFixed(2)} s`,
                  length: p.lengthSeconds === null ? t('stillOpen') : `${p.lengthSeconds.toFixed(2)} s`,
                })}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
