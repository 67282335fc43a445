/**
 * The supervisor's column in the real Flex Teams view table (`WorkersDataTable` with the plugin's
 * `ColumnDefinition`): who has a paused recording and for how long, fed by the real control
 * server's live events (sam is a supervisor: his stream carries every agent's task).
 */
import * as Flex from '@twilio/flex-ui';
import { describe, expect, it } from 'vitest';
import { h, live, serverConfig, start, status, until, useRealSystem } from '../test/support/harness.tsx';

useRealSystem();

function worker(sid: string, name: string) {
  return {
    sid,
    name,
    fullName: name,
    activityName: 'Available',
    attributes: { full_name: name },
    dateUpdated: new Date(),
    isAvailable: true,
    activityDuration: '1m',
    source: {},
  };
}

const ALICE = 'WK' + 'a'.repeat(32);
const BOB = 'WK' + 'b'.repeat(32);

/** Flex's Teams view table with the rows TeamsView would give it (workers and their tasks). */
function teamsTable(rows: Array<{ worker: ReturnType<typeof worker>; tasks: Flex.ITask[] }>) {
  return <Flex.WorkersDataTable workers={rows as never} isLoading={false} onTaskSelected={() => undefined} onWorkerSelected={() => undefined} />;
}

function cells(c: HTMLElement, workerSid: string): HTMLElement[] {
  return [...c.querySelectorAll<HTMLElement>(`tr[id="${workerSid}"] [data-testid="recording-paused-cell"]`)];
}

/** Seconds shown in a cell ("Paused for 1:05" -> 65). */
function shownSeconds(cell: HTMLElement | undefined): number | null {
  const m = /(\d+):(\d\d)/.exec(cell?.textContent ?? '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

async function supervisor() {
  const samToken = await h.s.login('sam');
  return start(serverConfig(), undefined, { identity: 'sam', token: samToken });
}

async function api(action: 'pause' | 'resume', taskSid: string): Promise<void> {
  const r = await h.s.api('POST', `/api/tasks/${taskSid}/recording/${action}`, { token: h.token, json: {} });
  expect(r.status).toBe(200);
}

describe('the Teams view column (real WorkersDataTable + ColumnDefinition)', () => {
  it('shows which agent has a paused recording and for how long, live, and clears on resume', async () => {
    const { flex } = await supervisor();
    const { live: l, task } = await live();
    const c = await flex.render(
      teamsTable([
        { worker: worker(ALICE, 'Alice'), tasks: [task] },
        { worker: worker(BOB, 'Bob'), tasks: [] },
      ]),
    );
    const headers = [...c.querySelectorAll('th')].map((th) => th.textContent);
    expect(headers).toContain('Recording');
    // Recording, not paused: the cell is empty.
    await until('the task read once', () => h.handle?.feature.d.store.get(task.taskSid).view?.status === 'recording');
    expect(cells(c, ALICE)).toEqual([]);

    // Alice pauses in her own Flex: the server's live event reaches the supervisor's table.
    await api('pause', task.taskSid);
    const cell = await until('alice paused in the column', () => cells(c, ALICE)[0]);
    expect(cell.dataset['taskSid']).toBe(task.taskSid);
    expect(cell.textContent).toMatch(/^Paused for \d+:\d\d$/);
    expect(cells(c, BOB)).toEqual([]);

    // The elapsed time moves on by itself (a one-second tick, no new event).
    const first = shownSeconds(cell) ?? -1;
    await until('the elapsed time to advance', () => (shownSeconds(cells(c, ALICE)[0]) ?? -1) > first);

    await api('resume', task.taskSid);
    await until('the column cleared', () => cells(c, ALICE).length === 0);
    expect(await status(l)).toBe('recording');
  });

  it('a pause made before the table opened is read from the server and timed from its start', async () => {
    const { live: l, task } = await live();
    await api('pause', task.taskSid);
    expect((await l.truth()).pausedAt).not.toBeNull();
    // Two seconds pass before the supervisor opens the table.
    await new Promise((r) => setTimeout(r, 2100));
    const { flex } = await supervisor();
    const c = await flex.render(teamsTable([{ worker: worker(ALICE, 'Alice'), tasks: [task] }]));
    const cell = await until('the paused cell', () => cells(c, ALICE)[0]);
    // Timed from the server's pausedAt, not from when the supervisor looked.
    expect(shownSeconds(cell)).toBeGreaterThanOrEqual(2);
    expect(cell.getAttribute('data-status')).toBe('paused');
    await api('resume', task.taskSid);
  });

  it('is in the supervisor’s language', async () => {
    const samToken = await h.s.login('sam');
    const { flex } = start(serverConfig(), 'pt-BR', { identity: 'sam', token: samToken });
    const { task } = await live();
    await api('pause', task.taskSid);
    const c = await flex.render(teamsTable([{ worker: worker(ALICE, 'Alice'), tasks: [task] }]));
    expect([...c.querySelectorAll('th')].map((th) => th.textContent)).toContain('Gravação');
    await until('Portuguese cell', () => /^Pausada há \d+:\d\d$/.test(cells(c, ALICE)[0]?.textContent ?? ''));
    await api('resume', task.taskSid);
  });

  it('is not added with the Functions backend (no shared state to show)', async () => {
    const u = new URL(h.s.url);
    const { flex } = start({
      serverless_functions_domain: u.hostname,
      serverless_functions_port: u.port,
      serverless_functions_protocol: 'http',
      features: { pause_recording: { enabled: true } },
    });
    const c = await flex.render(teamsTable([{ worker: worker(ALICE, 'Alice'), tasks: [] }]));
    expect([...c.querySelectorAll('th')].map((th) => th.textContent)).not.toContain('Recording');
  });
});
