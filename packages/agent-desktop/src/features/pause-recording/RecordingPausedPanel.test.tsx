import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { RecordingStates } from '../../lib/recording-states.ts';
import { recState, task } from '../../test-support/fixtures.ts';
import { renderWithI18n } from '../../test-support/render.tsx';
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
    expect(panel.textContent).toContain('Paused by alice');
    expect(panel.textContent).toContain('Paused for 1:0');
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
    states.set(recState({ status: 'paused', pausedAt: new Date().toISOString(), pausedBy: 'alice', autoResumeAt: new Date(Date.now() + 125_500).toISOString() }));
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
    act(() => states.set(recState({ status: 'paused', pausedAt: new Date(Date.now() - 5_000).toISOString() })));
    expect(screen.getByLabelText('Recording status').textContent).toMatch(/^Paused · Paused for 0:0[56]$/);
    act(() => states.set(recState({ status: 'partially-paused', pausedAt: new Date().toISOString() })));
    expect(screen.getByLabelText('Recording status').textContent).toContain('Partially paused: still recording');
  });
});
