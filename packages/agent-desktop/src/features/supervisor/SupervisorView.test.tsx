import type { TaskRecordingState } from '@pause-recording/core';
import { act, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { RecordingStates } from '../../lib/recording-states.ts';
import { TaskBoard } from '../../lib/task-board.ts';
import { recState, task } from '../../../test/support/fixtures.ts';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { ActionsRegistry } from '../actions/actions-registry.ts';
import { SupervisorView } from './SupervisorView.tsx';

describe('SupervisorView', () => {
  it('lists live calls with alarms first, shows who paused, and pauses or resumes through the actions', async () => {
    const tasks = new TaskBoard();
    const states = new RecordingStates();
    const known = new Map<string, TaskRecordingState>([
      ['WT1', recState({ taskSid: 'WT1', status: 'recording' })],
      ['WT2', recState({ taskSid: 'WT2', status: 'paused', pausedBy: 'bob', pausedAt: new Date().toISOString() })],
      ['WT3', recState({ taskSid: 'WT3', status: 'partially-paused', pausedBy: 'alice', pausedAt: new Date().toISOString(), capturing: ['RE1'] })],
    ]);
    const api = { recordingState: async (sid: string) => known.get(sid) ?? recState({ taskSid: sid }) };
    const actions = new ActionsRegistry();
    const invoked: string[] = [];
    actions.registerAction('PauseCallRecording', async ({ task: t }) => (invoked.push(`pause ${t.sid}`), null));
    actions.registerAction('ResumeCallRecording', async ({ task: t }) => (invoked.push(`resume ${t.sid}`), null));
    tasks.replaceAll([
      task({ sid: 'WT1', worker: 'carol', createdAt: '2026-11-26T15:00:01Z' }, { from: '+15550000001' }),
      task({ sid: 'WT2', worker: 'bob', createdAt: '2026-11-26T15:00:02Z' }, { from: '+15550000002' }),
      task({ sid: 'WT3', worker: 'alice', createdAt: '2026-11-26T15:00:03Z' }, { from: '+15550000003' }),
      task({ sid: 'WT4', worker: 'dave', status: 'wrapping' }, { from: '+15550000004' }),
    ]);
    renderWithI18n(<SupervisorView api={api} actions={actions} states={states} tasks={tasks} />);
    await act(async () => undefined);

    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent)).toEqual(['+15550000003', '+15550000002', '+15550000001']);
    expect(within(rows[0] as HTMLElement).getByText('Partially paused: still recording')).toBeTruthy();
    expect(within(rows[1] as HTMLElement).getAllByText('bob')).toHaveLength(2);

    await userEvent.click(screen.getByRole('button', { name: 'Resume Recording: +15550000002' }));
    await userEvent.click(screen.getByRole('button', { name: 'Pause Recording: +15550000001' }));
    expect(invoked).toEqual(['resume WT2', 'pause WT1']);
  });
});
