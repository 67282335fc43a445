/**
 * The plugin's button, indicator, notifications, strings and configuration flags rendered by the
 * real @twilio/flex-ui 2.17 (CallCanvasActions, TaskCanvasHeader, NotificationBar), against the
 * real control server and engine (and the seed's Function routes for the Functions backend).
 */
import * as Flex from '@twilio/flex-ui';
import { act } from 'react-dom/test-utils';
import { describe, expect, it } from 'vitest';
import { NotificationIds } from './features/pause-recording/flex-hooks/notifications.ts';
import type { CustomData } from './features/pause-recording/types/ServiceConfiguration.ts';
import { h, live, serverConfig, start, status, until, useRealSystem } from '../test/support/harness.tsx';
import { addPauseRecording } from './features/pause-recording/index.ts';
import { flexToken, liveTask, startRealSystem } from '../test/support/real-system.ts';
import { offlineFlex, voiceTask } from '../test/support/offline-flex.tsx';

useRealSystem();

function button(c: HTMLElement): HTMLButtonElement | null {
  return c.querySelector<HTMLButtonElement>('[data-testid="pause-recording-button"]');
}

/** Flex's IconButton marks a disabled button with aria-disabled (MUI), not the attribute. */
function disabled(b: HTMLButtonElement | null): boolean {
  return b?.getAttribute('aria-disabled') === 'true';
}

async function click(b: HTMLElement): Promise<void> {
  await act(async () => {
    b.click();
  });
}

function header(task: Flex.ITask) {
  return (
    <Flex.TaskContext.Provider value={{ task, channelDefinition: Flex.TaskChannels.getForTask(task) }}>
      <Flex.TaskCanvasHeader task={task} />
    </Flex.TaskContext.Provider>
  );
}

describe('the button in the real CallCanvasActions', () => {
  it('sits beside Flex’s own call buttons, pauses and resumes the real recording, and says which', async () => {
    const { flex } = start(serverConfig());
    const { live: l, task } = await live();
    const c = await flex.render(<Flex.CallCanvasActions task={task} />);
    const b = await until('the button', () => button(c));
    // Flex's own Mute / Hang up / ... render in the same container.
    expect(c.querySelectorAll('button').length).toBeGreaterThan(1);
    await until('enabled', () => !disabled(button(c)));
    expect(b.getAttribute('title')).toBe('Pause Recording');
    await click(b);
    await until('paused', async () => (await status(l)) === 'paused' && button(c)?.getAttribute('title') === 'Resume Recording');
    expect(button(c)?.getAttribute('aria-pressed')).toBe('true');
    await click(button(c)!);
    await until('resumed', async () => (await status(l)) === 'recording' && button(c)?.getAttribute('title') === 'Pause Recording');
  });

  it('is disabled while the call is not live (wrap-up) and when nothing records', async () => {
    const { flex } = start(serverConfig());
    const { live: l, task } = await live();
    const wrapping = voiceTask({
      reservationSid: 'WR' + '1'.repeat(32),
      taskSid: 'WT' + '1'.repeat(32),
      callSid: task.attributes.call_sid,
      conferenceSid: null,
      status: 'wrapping',
    });
    const c1 = await flex.render(<Flex.CallCanvasActions task={wrapping} />);
    expect(disabled(await until('the button', () => button(c1)))).toBe(true);

    await l.stopRecordings();
    const c2 = await flex.render(<Flex.CallCanvasActions task={task} />);
    await until('disabled: not recorded', () => disabled(button(c2)));
    // A click on the disabled button changes nothing and asks nobody.
    let invoked = 0;
    const count = (): void => {
      invoked++;
    };
    Flex.Actions.addListener('beforePauseCallRecording', count);
    await click(button(c2)!);
    Flex.Actions.removeListener('beforePauseCallRecording', count);
    expect(invoked).toBe(0);
  });

  it('is hidden on internal (agent-to-agent) calls', async () => {
    const { flex } = start(serverConfig());
    const { task } = await live();
    const internal = voiceTask({ reservationSid: task.sid, taskSid: task.taskSid, callSid: task.attributes.call_sid, conferenceSid: null, internal: true });
    const c = await flex.render(<Flex.CallCanvasActions task={internal} />);
    expect(c.querySelectorAll('button').length).toBeGreaterThan(0);
    expect(button(c)).toBeNull();
    await Flex.Actions.invokeAction('PauseCallRecording', { task: internal });
  });
});

describe('indicator_permanent: "Call Recording Paused" in the real TaskCanvasHeader', () => {
  it('shows while paused and goes on resume', async () => {
    const { flex } = start(serverConfig({ indicator_permanent: true }));
    const { task } = await live();
    const c = await flex.render(header(task));
    expect(c.textContent).not.toContain('Call Recording Paused');
    await Flex.Actions.invokeAction('PauseCallRecording', { task });
    await until('the indicator', () => c.querySelector('[data-testid="recording-paused-indicator"]')?.textContent === 'Call Recording Paused');
    await Flex.Actions.invokeAction('ResumeCallRecording', { task });
    await until('no indicator', () => c.querySelector('[data-testid="recording-paused-indicator"]') === null);
  });

  it('is not added when the flag is off', async () => {
    const { flex } = start(serverConfig({ indicator_permanent: false }));
    const { task } = await live();
    const c = await flex.render(header(task));
    await Flex.Actions.invokeAction('PauseCallRecording', { task });
    await until('paused state stored', () => h.handle?.feature.d.store.get(task.taskSid).view?.status === 'paused');
    expect(c.querySelector('[data-testid="recording-paused-indicator"]')).toBeNull();
  });
});

describe('notifications in the real NotificationBar', () => {
  it('indicator_banner: paused and resumed are announced', async () => {
    const { flex } = start(serverConfig({ indicator_banner: true }));
    const { task } = await live();
    const bar = await flex.render(<Flex.NotificationBar />);
    await Flex.Actions.invokeAction('PauseCallRecording', { task });
    await until('paused banner', () => bar.textContent?.includes('Call recording paused'));
    await Flex.Actions.invokeAction('ResumeCallRecording', { task });
    await until('resumed banner', () => bar.textContent?.includes('Call recording resumed'));
  });

  it('without indicator_banner nothing is announced on success', async () => {
    start(serverConfig({ indicator_banner: false }));
    const { live: l, task } = await live();
    await Flex.Actions.invokeAction('PauseCallRecording', { task });
    expect(await status(l)).toBe('paused');
    expect(Flex.Notifications.isNotificationActive(NotificationIds.RECORDING_PAUSED)).toBe(false);
  });

  it('a call without a recording says so', async () => {
    const { flex } = start(serverConfig());
    const { live: l, task } = await live();
    await l.stopRecordings();
    const bar = await flex.render(<Flex.NotificationBar />);
    await Flex.Actions.invokeAction('PauseCallRecording', { task });
    await until('no-recording notification', () => bar.textContent?.includes('There is no recording to pause.'));
  });

  it('a failure names the reason (the server refuses the token)', async () => {
    const { flex } = start(serverConfig());
    const { live: l, task } = await live();
    // The agent's token as Flex would hold it after it expired / was revoked.
    Object.defineProperty(flex.manager, 'user', { configurable: true, value: { ...flex.manager.user, token: 'expired-token' } });
    const bar = await flex.render(<Flex.NotificationBar />);
    await Flex.Actions.invokeAction('PauseCallRecording', { task });
    await until(
      'failure notification',
      () => bar.textContent?.includes('Could not pause the recording:') && bar.textContent.includes('nor a valid Flex token'),
    );
    expect(await status(l)).toBe('recording');
  });
});

describe('strings through Flex’s string manager', () => {
  it('follow the agent’s language (es-MX) and leave a customer’s own override alone', async () => {
    const { flex } = start(serverConfig({ indicator_permanent: true }), 'es-MX');
    expect(flex.manager.strings).toMatchObject({ PSPauseRecordingTooltip: 'Pausar grabación' });
    const { task } = await live();
    const c = await flex.render(<Flex.CallCanvasActions task={task} />);
    await until('Spanish title', () => button(c)?.getAttribute('title') === 'Pausar grabación');
  });

  it('a string the customer set before the plugin loaded wins', async () => {
    const f = start(serverConfig()).flex;
    h.handle?.dispose();
    Object.assign(f.manager.strings, { PSPauseRecordingTooltip: 'Stop the tape' });
    h.handle = addPauseRecording(Flex, f.manager);
    const { task } = await live();
    const c = await f.render(<Flex.CallCanvasActions task={task} />);
    await until('customer title', () => button(c)?.getAttribute('title') === 'Stop the tape');
  });
});

describe('the Functions backend (template configuration, unchanged shape)', () => {
  async function functionsConfig(flags: Record<string, unknown>): Promise<CustomData> {
    const u = new URL(h.s.url);
    return {
      serverless_functions_domain: u.hostname,
      serverless_functions_port: u.port,
      serverless_functions_protocol: 'http',
      features: { pause_recording: { enabled: true, indicator_banner: true, ...flags } },
    };
  }

  it('pauses with pauseBehavior skip, and with include_silence: silence', async () => {
    for (const [flag, behavior] of [
      [false, 'skip'],
      [true, 'silence'],
    ] as const) {
      h.handle?.dispose();
      h.flex?.cleanup();
      const { flex } = start(await functionsConfig({ include_silence: flag }));
      // The plugin sends the agent's Flex token in the body, as the template does.
      Object.defineProperty(flex.manager, 'user', { configurable: true, value: { ...flex.manager.user, token: await flexToken(h.s, 'alice') } });
      const { live: l, task } = await live();
      await Flex.Actions.invokeAction('PauseCallRecording', { task });
      expect(await status(l)).toBe('paused');
      const pause = h.s.server.audit.query({ taskSid: task.taskSid }).find((e) => e.action === 'pause' && e.details['via'] === 'seed-route');
      expect(pause?.details['pauseBehavior']).toBe(behavior);
      await Flex.Actions.invokeAction('ResumeCallRecording', { task });
      expect(await status(l)).toBe('recording');
    }
  });
});

describe('all-or-nothing (server backend): a recording that keeps capturing is never shown as paused', () => {
  it('raises the alarm and the header says it still records', async () => {
    // Two recordings per call (conference + dual-channel worker leg); the engine refuses to pause the leg's.
    const s2 = await startRealSystem({
      call_recording_enabled: true,
      features: { pause_recording: { enabled: true }, dual_channel_recording: { enabled: true, channel: 'worker' } },
    });
    try {
      const token2 = await s2.login('alice');
      const fault = await fetch(`${s2.engine.url}/dev/faults`, {
        method: 'POST',
        headers: {
          authorization: 'Basic ' + Buffer.from(`${s2.engine.accountSid}:${s2.engine.authToken}`).toString('base64'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ action: 'status', status: '500', method: 'POST', pathGlob: '*/Calls/CA*/Recordings/*', times: '0' }).toString(),
      });
      expect(fault.status).toBe(201);
      h.flex = offlineFlex(
        { features: { pause_recording: { enabled: true, backend: 'server', server_url: s2.url, indicator_banner: true, indicator_permanent: true } } },
        { identity: 'alice', token: token2 },
      );
      h.handle = addPauseRecording(Flex, h.flex.manager);
      const l = await liveTask(s2, 'alice', token2);
      const task = voiceTask({
        reservationSid: 'WR' + l.task.taskSid.slice(2),
        taskSid: l.task.taskSid,
        callSid: l.task.attributes?.call_sid ?? '',
        conferenceSid: l.task.conference?.conferenceSid ?? null,
      });
      const c = await h.flex.render(
        <>
          {header(task)}
          <Flex.NotificationBar />
        </>,
      );
      await Flex.Actions.invokeAction('PauseCallRecording', { task });
      expect((await l.truth()).status).toBe('partially-paused');
      await until('the alarm', () => c.textContent?.includes('still capturing while the call is meant to be paused'));
      await until('the header warning', () => c.querySelector('[data-testid="recording-partial-indicator"]'));
      expect(c.querySelector('[data-testid="recording-paused-indicator"]')).toBeNull();
      expect(c.textContent).not.toContain('Call recording paused');
    } finally {
      h.handle?.dispose();
      h.handle = null;
      await s2.close();
    }
  });
});
