import type { TaskAction, TaskView } from '@pause-recording/core';
import { screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { task } from '../../../test/support/fixtures.ts';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { CallCanvas } from './CallCanvas.tsx';
import { TaskList } from './TaskList.tsx';

describe('TaskList', () => {
  it('offers a ringing call with Accept and Reject, and lets a live call be selected', async () => {
    const done: [string, TaskAction][] = [];
    const selected: string[] = [];
    const offer = task({ sid: 'WT1', status: 'reserved' }, { from: '+15550001111' });
    const live = task({ sid: 'WT2', status: 'assigned' }, { from: '+15550002222' });
    const over = task({ sid: 'WT3', status: 'completed' }, { from: '+15550003333' });
    renderWithI18n(<TaskList tasks={[offer, live, over]} selectedSid={null} onSelect={(s) => selected.push(s)} onAction={(t, a) => done.push([t.sid, a])} />);
    const group = screen.getByRole('group', { name: 'Incoming call from +15550001111' });
    await userEvent.click(screen.getAllByRole('button', { name: 'Accept' })[0] as HTMLElement);
    await userEvent.click(screen.getAllByRole('button', { name: 'Reject' })[0] as HTMLElement);
    expect(group).toBeTruthy();
    expect(done).toEqual([
      ['WT1', 'accept'],
      ['WT1', 'reject'],
    ]);
    await userEvent.click(screen.getByRole('button', { name: '+15550002222 · On call' }));
    expect(selected).toEqual(['WT2']);
    expect(screen.queryByText(/\+15550003333/)).toBeNull();
  });
});

describe('CallCanvas', () => {
  function renderCanvas(t: TaskView) {
    const done: TaskAction[] = [];
    renderWithI18n(
      <CallCanvas task={t} onAction={(_t, a) => done.push(a)}>
        <button type="button">extension</button>
      </CallCanvas>,
    );
    return done;
  }

  it('a live call shows the caller, the extensions put on it, and Hang up', async () => {
    const done = renderCanvas(task({ status: 'assigned' }, { from: '+15550004444' }));
    expect(screen.getByText('+15550004444')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'extension' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Complete' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Hang up' }));
    expect(done).toEqual(['hangup']);
  });

  it('counts the call time from the accept, not from the task (ringing is not call time)', () => {
    const now = Date.now();
    const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
    renderCanvas(task({ status: 'assigned', createdAt: iso(95_000), acceptedAt: iso(65_000) }));
    expect(screen.getByText(/^1:0[56]$/).tagName).toBe('TIME');
  });

  it('shows no call time before the call is accepted, and the talk time once it ended', () => {
    const { unmount } = renderWithI18n(<CallCanvas task={task({ status: 'reserved', acceptedAt: null })} onAction={() => undefined} />);
    expect(screen.queryByText('Call time')).toBeNull();
    unmount();
    renderCanvas(
      task({ status: 'wrapping', createdAt: '2026-11-26T15:00:00.000Z', acceptedAt: '2026-11-26T15:00:10.000Z', updatedAt: '2026-11-26T15:02:15.000Z' }),
    );
    expect(screen.getByText('Call time').nextElementSibling?.textContent).toBe('2:05');
  });

  it('wrap-up offers Complete instead of Hang up', async () => {
    const done = renderCanvas(task({ status: 'wrapping' }));
    expect(screen.getByRole('heading', { name: 'Wrap-up' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Hang up' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Complete' }));
    expect(done).toEqual(['complete']);
  });
});
