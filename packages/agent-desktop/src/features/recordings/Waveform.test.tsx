import type { RecordingPauseAnnotation } from '@pause-recording/core';
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { Waveform } from './Waveform.tsx';

const pause = (over: Partial<RecordingPauseAnnotation>): RecordingPauseAnnotation => ({
  offsetSeconds: 2,
  lengthSeconds: 3,
  timing: 'capture',
  behavior: 'silence',
  pausedBy: 'alice',
  role: 'agent',
  reason: 'manual',
  pausedAt: '2026-11-26T15:00:02.000Z',
  resumedAt: '2026-11-26T15:00:05.000Z',
  resumedBy: 'alice',
  ...over,
});

describe('Waveform', () => {
  it('draws a band over a silenced span and a marker for a skipped one, each labelled with who', () => {
    const wav = { sampleRate: 8000, channels: 1, durationSeconds: 10, peaks: [0.5, 0.2, 0, 0, 0.7] };
    const { container } = renderWithI18n(
      <Waveform sid="RE1" wav={wav} pauses={[pause({}), pause({ behavior: 'skip', offsetSeconds: 8, lengthSeconds: 1.5, pausedBy: 'sam' })]} />,
    );
    expect(screen.getByRole('img', { name: 'Waveform of RE1' })).toBeTruthy();
    const spans = screen.getAllByTestId('paused-span');
    expect(spans).toHaveLength(2);
    // 800 px wide for 10 s: the silenced span 2..5 s is x 160, width 240.
    const band = spans[0]?.querySelector('rect.paused-span-band');
    expect(band?.getAttribute('x')).toBe('160');
    expect(band?.getAttribute('width')).toBe('240');
    expect(spans[0]?.textContent).toBe('Silenced · alice');
    // A skipped span is not in the audio: a marker line at 8 s, no band.
    expect(spans[1]?.querySelector('rect.paused-span-band')).toBeNull();
    expect(spans[1]?.querySelector('line')?.getAttribute('x1')).toBe('640');
    expect(spans[1]?.textContent).toBe('Skipped · sam');
    expect(container.querySelectorAll('rect.waveform-bar')).toHaveLength(5);
  });
});
