import type { RecordingPauseAnnotation } from '@pause-recording/core';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import type { WavSummary } from './wav.ts';

const WIDTH = 800;
const HEIGHT = 120;

/**
 * The recording's waveform with each paused span drawn over it: a shaded band for `silence`
 * (the span is in the audio as zeros), a marker line for `skip` (the span was cut out, so it has
 * no width in the audio).
 */
export function Waveform({ sid, wav, pauses }: { sid: string; wav: WavSummary; pauses: readonly RecordingPauseAnnotation[] }) {
  const t = useT();
  const dur = wav.durationSeconds > 0 ? wav.durationSeconds : 1;
  const x = (sec: number): number => Math.max(0, Math.min(WIDTH, (sec / dur) * WIDTH));
  const barW = WIDTH / Math.max(1, wav.peaks.length);
  return (
    <svg className="waveform" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('waveform', { sid })} preserveAspectRatio="none">
      <rect x={0} y={0} width={WIDTH} height={HEIGHT} className="waveform-bg" />
      {wav.peaks.map((p, i) => {
        const h = Math.max(1, p * (HEIGHT - 8));
        return <rect key={i} x={i * barW} y={(HEIGHT - h) / 2} width={Math.max(0.5, barW - 0.5)} height={h} className="waveform-bar" />;
      })}
      {pauses.map((p, i) => {
        const start = x(p.offsetSeconds);
        const width = p.behavior === 'silence' ? Math.max(2, x(p.offsetSeconds + (p.lengthSeconds ?? 0)) - start) : 0;
        return (
          <g key={i} className={`paused-span paused-span-${p.behavior}`} data-testid="paused-span">
            {width > 0 ? <rect x={start} y={0} width={width} height={HEIGHT} className="paused-span-band" /> : null}
            <line x1={start} x2={start} y1={0} y2={HEIGHT} className="paused-span-edge" />
            <text x={start + 4} y={14} className="paused-span-label">
              {t(`behavior_${p.behavior}`)} · {p.pausedBy}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
