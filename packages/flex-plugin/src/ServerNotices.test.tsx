/**
 * The server's reminder and auto-resume as Flex Notifications (the real Notifications manager and
 * NotificationBar), against a real server whose pause policy reminds after 1 s and resumes after 3 s.
 * Each notice is for the task it names, and only in the Flex of the worker holding that task.
 */
import * as Flex from '@twilio/flex-ui';
import { describe, expect, it } from 'vitest';
import { NotificationIds } from './features/pause-recording/flex-hooks/notifications.ts';
import type { LiveKind } from './features/pause-recording/helpers/RecordingBackend.ts';
import { h, live, serverConfig, start, status, until, useRealSystem } from '../test/support/harness.tsx';

useRealSystem({
  call_recording_enabled: true,
  features: { pause_recording: { enabled: true, reminder_seconds: 1, max_pause_seconds: 3 }, dual_channel_recording: { enabled: false } },
});

/** The active notifications `id` shown for `taskSid`. */
function active(id: string, taskSid: string): Flex.Notification[] {
  return Flex.Notifications.activeNotifications.filter((n) => n.id === id && n.context?.['taskSid'] === taskSid);
}

describe('reminder and auto-resume notices (server backend)', () => {
  it('remind the agent of the paused task only, then say it resumed by itself, in the agent’s language', async () => {
    const { flex } = start(serverConfig(), 'es-MX');
    // A voice worker holds one call at a time in TaskRouter: the other call on screen is bob's (it stays recording).
    const b = await live('bob', await h.s.login('bob'));
    const a = await live();
    await flex.showTask(b.task);
    await flex.showTask(a.task);
    const bar = await flex.render(<Flex.NotificationBar />);
    await Flex.Actions.invokeAction('PauseCallRecording', { task: a.task });
    expect(await status(a.live)).toBe('paused');

    await until('the reminder for the paused task', () => active(NotificationIds.REMINDER, a.task.taskSid).length === 1);
    await until('the reminder in Spanish', () => /La grabación lleva \d+:\d\d en pausa\. No olvides reanudarla\./.test(bar.textContent ?? ''));
    expect(active(NotificationIds.REMINDER, b.task.taskSid)).toEqual([]);

    await until('the auto-resume notice for the paused task', () => active(NotificationIds.AUTO_RESUMED, a.task.taskSid).length === 1);
    await until('the auto-resume in Spanish', () => bar.textContent?.includes('La grabación se reanudó automáticamente.'));
    expect(await status(a.live)).toBe('recording');
    // The reminder would now be false: it went with the resume.
    await until('the reminder dismissed', () => active(NotificationIds.REMINDER, a.task.taskSid).length === 0);
    expect(active(NotificationIds.AUTO_RESUMED, b.task.taskSid)).toEqual([]);
    expect(await status(b.live)).toBe('recording');
  });

  it('are not shown to a supervisor whose stream carries another agent’s task (the Teams view column shows it)', async () => {
    const samToken = await h.s.login('sam');
    const { handle } = start(serverConfig(), undefined, { identity: 'sam', token: samToken });
    const { live: l, task } = await live();
    const seen: LiveKind[] = [];
    const off = handle.feature.d.backend.subscribe((view, kind) => {
      if (view.taskSid === task.taskSid) seen.push(kind);
    });
    try {
      // Alice pauses in her own Flex; the server reminds and then resumes.
      const r = await h.s.api('POST', `/api/tasks/${task.taskSid}/recording/pause`, { token: h.token, json: {} });
      expect(r.status).toBe(200);
      await until('the reminder and auto-resume events to reach the supervisor', () => seen.includes('reminder') && seen.includes('auto-resumed'));
      expect(await status(l)).toBe('recording');
      expect(handle.feature.d.store.get(task.taskSid).view?.status).toBe('recording');
      const ours: string[] = Object.values(NotificationIds);
      expect(Flex.Notifications.activeNotifications.filter((n) => ours.includes(n.id))).toEqual([]);
    } finally {
      off();
    }
  });
});
