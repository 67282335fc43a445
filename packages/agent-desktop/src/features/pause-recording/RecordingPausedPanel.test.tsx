import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LOCALES, STRINGS, type Locale } from '../../lib/i18n/strings.ts';
import { RecordingStates } from '../../lib/recording-states.ts';
import { recState, task } from '../../../test/support/fixtures.ts';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { RecordingPausedPanel } from './RecordingPausedPanel.tsx';
import { RecordingStateBadge } from './RecordingStateBadge.tsx';

describe('RecordingPausedPanel (indicator_permanent)', () => {
  it('shows "Call Recording Paused" as a status with who paused, only while the server says paused', () => {
    const states = new RecordingStates();
    renderWithI18n(<RecordingPausedPanel task={task()} states={states} enabled />);
    act(() => states.set(recState({ status: 'recording' })));
    expect(screen.queryByRole('status', { name: 'Call Recording Paused' })).toBeNull();
    act(() => states.set(recState({ status: 'paused', pausedAt: new Date(Date.now() - 65_000).toISOString(), pausedBy: 'alice' })));
    const panel = screen.getByRole('status', { name: 'Call Recording Paused' });
    expect(panel.textContent).toMatch(/^Call Recording Paused · 1:0[56] · Paused by alice$/);
    act(() => states.set(recState({ status: 'recording' })));
    expect(screen.queryByRole('status', { name: 'Call Recording Paused' })).toBeNull();
  });

  it('stays hidden when the indicator is configured off', () => {
    const states = new RecordingStates();
    states.set(recState({ status: 'paused', pausedAt: new Date().toISOString(), pausedBy: 'alice' }));
    renderWithI18n(<RecordingPausedPanel task={task()} states={states} enabled={false} />);
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('shows the countdown to auto-resume when the server set one', () => {
    const states = new RecordingStates();
    states.set(
      recState({ status: 'paused', pausedAt: new Date().toISOString(), pausedBy: 'alice', autoResumeAt: new Date(Date.now() + 125_500).toISOString() }),
    );
    renderWithI18n(<RecordingPausedPanel task={task()} states={states} enabled />);
    expect(screen.getByRole('status', { name: 'Call Recording Paused' }).textContent).toMatch(/Auto-resume in 2:0[56]/);
  });
});

describe('RecordingStateBadge', () => {
  it('names the state in words, with the pause timer while paused and an alarm word for partially-paused', () => {
    const states = new RecordingStates();
    renderWithI18n(<RecordingStateBadge task={task()} states={states} />);
    act(() => states.set(recState({ status: 'recording' })));
    expect(screen.getByLabelText('Recording status').textContent).toBe('Recording');
    const pausedAt = new Date(Date.now() - 5_000).toISOString();
    act(() => states.set(recState({ status: 'paused', pausedAt })));
    expect(screen.getByLabelText('Recording status').textContent).toMatch(/^Paused for 0:0[56]$/);
    act(() => states.set(recState({ status: 'partially-paused', pausedAt })));
    expect(screen.getByLabelText('Recording status').textContent).toMatch(/^Partially paused for 0:0[56]: still recording$/);
    act(() => states.set(recState({ status: 'paused', pausedAt: null })));
    expect(screen.getByLabelText('Recording status').textContent).toBe('Paused');
  });

  // One phrase per state in every language: the state word is never said twice ("Paused · Paused for 0:05").
  const expected: Record<Locale, [string, string]> = {
    'en-US': ['Paused for 0:05', 'Partially paused for 0:05: still recording'],
    'es-MX': ['En pausa desde hace 0:05', 'Pausa parcial desde hace 0:05: todavía graba'],
    'es-ES': ['En pausa durante 0:05', 'Pausa parcial durante 0:05: todavía graba'],
    'pt-BR': ['Pausada há 0:05', 'Pausa parcial há 0:05: ainda gravando'],
    th: ['หยุดมาแล้ว 0:05', 'หยุดได้บางส่วนมาแล้ว 0:05: ยังบันทึกอยู่'],
    'zh-Hans': ['已暂停 0:05', '部分暂停 0:05：仍在录音'],
  };
  for (const locale of LOCALES) {
    it(`reads as one phrase in ${locale}`, () => {
      const states = new RecordingStates();
      const { container, unmount } = renderWithI18n(<RecordingStateBadge task={task()} states={states} />, locale);
      const text = () => (container.querySelector('.recording-state')?.textContent ?? '').replace(/0:0[56]/, '0:05');
      const pausedAt = new Date(Date.now() - 5_000).toISOString();
      act(() => states.set(recState({ status: 'paused', pausedAt })));
      expect(text()).toBe(expected[locale][0]);
      expect(text()).not.toContain(STRINGS[locale].state_paused + ' · ');
      act(() => states.set(recState({ status: 'partially-paused', pausedAt })));
      expect(text()).toBe(expected[locale][1]);
      unmount();
    });
  }
});
