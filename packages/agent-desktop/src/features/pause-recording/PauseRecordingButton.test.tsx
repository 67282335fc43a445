import { act, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { RecordingStates } from '../../lib/recording-states.ts';
import { recState, task, TASK_SID } from '../../../test/support/fixtures.ts';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { ActionsRegistry } from '../actions/actions-registry.ts';
import type { ActionName } from '../actions/action-names.ts';
import { PauseRecordingButton } from './PauseRecordingButton.tsx';

function setup(t = task()) {
  const actions = new ActionsRegistry();
  const states = new RecordingStates();
  const invoked: ActionName[] = [];
  for (const name of ['PauseCallRecording', 'ResumeCallRecording', 'ToggleCallRecording'] as const) {
    actions.registerAction(name, async () => {
      invoked.push(name);
      return null;
    });
  }
  renderWithI18n(<PauseRecordingButton task={t} actions={actions} states={states} />);
  return { actions, states, invoked };
}

describe('PauseRecordingButton', () => {
  it('while recording: named and titled "Pause Recording", not pressed, and invokes PauseCallRecording', async () => {
    const { states, invoked } = setup();
    act(() => states.set(recState({ status: 'recording' })));
    const button = screen.getByRole('button', { name: 'Pause Recording' });
    expect(button.getAttribute('title')).toBe('Pause Recording');
    expect(button.getAttribute('aria-pressed')).toBe('false');
    await userEvent.click(button);
    expect(invoked).toEqual(['PauseCallRecording']);
  });

  it('while paused: pressed, named "Resume Recording", and invokes ResumeCallRecording', async () => {
    const { states, invoked } = setup();
    act(() => states.set(recState({ status: 'paused', pausedAt: new Date().toISOString(), pausedBy: 'alice' })));
    const button = screen.getByRole('button', { name: 'Resume Recording' });
    expect(button.getAttribute('aria-pressed')).toBe('true');
    expect(button.getAttribute('title')).toBe('Resume Recording');
    await userEvent.click(button);
    expect(invoked).toEqual(['ResumeCallRecording']);
  });

  it('is disabled (and ignores presses) while a request is in flight, keeping focus', async () => {
    const { states, invoked } = setup();
    const button = screen.getByRole('button', { name: 'Pause Recording' });
    button.focus();
    act(() => states.setPending(TASK_SID, true));
    expect(button.getAttribute('aria-disabled')).toBe('true');
    await userEvent.click(button);
    expect(invoked).toEqual([]);
    expect(document.activeElement).toBe(button);
    act(() => states.setPending(TASK_SID, false));
    expect(button.getAttribute('aria-disabled')).toBe('false');
    await userEvent.click(button);
    expect(invoked).toEqual(['PauseCallRecording']);
  });

  it('is disabled when the task is not a live call', () => {
    setup(task({ status: 'wrapping' }));
    expect((screen.getByRole('button', { name: 'Pause Recording' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('is not shown for internal (client) calls', () => {
    setup(task({}, { client_call: true }));
    expect(screen.queryByRole('button', { name: /Recording/ })).toBeNull();
  });

  it('speaks the picked language', () => {
    const actions = new ActionsRegistry();
    renderWithI18n(<PauseRecordingButton task={task()} actions={actions} states={new RecordingStates()} />, 'es-MX');
    expect(screen.getByRole('button', { name: 'Pausar grabación' })).toBeTruthy();
  });
});
