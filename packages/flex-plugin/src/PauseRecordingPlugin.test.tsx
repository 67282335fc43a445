/**
 * The plugin inside the real @twilio/flex-ui 2.17 (no fake of Flex), against the real control
 * server and voice engine on loopback: loading, the three Flex actions and the shortcuts.
 * Everything else on the network is blocked (setup-flex).
 */
import * as Flex from '@twilio/flex-ui';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactRedux from 'react-redux';
import * as Redux from 'redux';
import { describe, expect, it } from 'vitest';
import PauseRecordingPlugin, { PLUGIN_NAME } from './PauseRecordingPlugin.ts';
import { addPauseRecording } from './features/pause-recording/index.ts';
import { offlineFlex, pressCtrlShiftDigit } from '../test/support/offline-flex.tsx';
import { h, live, press, serverConfig, start, status, until, useRealSystem } from '../test/support/harness.tsx';

useRealSystem();

type PluginDefinition = Parameters<typeof Flex.Plugins.storePluginDefinition>[0][number];

describe('plugin loading', () => {
  it('is a Flex plugin class whose init adds the feature to the real Flex', async () => {
    h.flex = offlineFlex(serverConfig(), { identity: 'alice', token: h.token });
    const plugin = new PauseRecordingPlugin();
    expect(plugin.name).toBe(PLUGIN_NAME);
    plugin.init(Flex, h.flex.manager);
    h.handle = plugin.handle;
    expect(h.handle).not.toBeNull();
    expect(Object.keys(Flex.KeyboardShortcutManager.keyboardShortcuts)).toEqual(expect.arrayContaining(['2', '3', '4']));
    const { task } = await live();
    const c = await h.flex.render(<Flex.CallCanvasActions task={task} />);
    expect(c.querySelector('[data-testid="pause-recording-button"]')).not.toBeNull();
  });

  it('with enabled: false adds nothing (the template default)', async () => {
    h.flex = offlineFlex({ features: { pause_recording: { enabled: false, backend: 'server', server_url: h.s.url } } }, { identity: 'alice', token: h.token });
    expect(addPauseRecording(Flex, h.flex.manager)).toBeNull();
    expect(Flex.KeyboardShortcutManager.keyboardShortcuts['3']).toBeUndefined();
    const { task } = await live();
    const c = await h.flex.render(<Flex.CallCanvasActions task={task} />);
    expect(c.querySelector('[data-testid="pause-recording-button"]')).toBeNull();
  });

  it('fails closed on a broken configuration: backend server without server_url', async () => {
    h.flex = offlineFlex({ features: { pause_recording: { enabled: true, backend: 'server' } } }, { identity: 'alice', token: h.token });
    expect(addPauseRecording(Flex, h.flex.manager)).toBeNull();
    expect(Flex.KeyboardShortcutManager.keyboardShortcuts['3']).toBeUndefined();
  });
});

describe('the built bundle', () => {
  it('loads through Flex’s plugin loader (Plugins.init from a script with its uuid) and pauses with Ctrl+Shift+3', async () => {
    const out = mkdtempSync(join(tmpdir(), 'flex-plugin-build-'));
    execFileSync(process.execPath, [join(import.meta.dirname, '..', 'build.mjs'), '--outdir', out], { stdio: 'pipe' });
    const code = readFileSync(join(out, 'plugin-pause-recording.js'), 'utf8');
    // What Flex's page provides to plugins at runtime.
    Object.assign(globalThis, { React, ReactDOM, Redux, ReactRedux, Twilio: { Flex } });
    h.flex = offlineFlex(serverConfig(), { identity: 'alice', token: h.token });
    Flex.Plugins.setup(Flex, h.flex.manager);
    const uuid = 'c7a5e0b4-0000-4000-8000-000000000001';
    Flex.Plugins.storePluginDefinition([
      {
        name: 'plugin-pause-recording',
        version: '0.1.0',
        src: 'https://example.invalid/plugin-pause-recording.js',
        flexVersion: '2.17.1',
        phase: 0,
        uuid,
        state: 'NotStarted' as PluginDefinition['state'],
      },
    ]);
    const script = document.createElement('script');
    script.setAttribute('uuid', uuid);
    const had = Object.getOwnPropertyDescriptor(document, 'currentScript');
    Object.defineProperty(document, 'currentScript', { configurable: true, get: () => script });
    try {
      // The loader runs the downloaded script; the script calls Twilio.Flex.Plugins.init.
      new Function(code)();
    } finally {
      if (had) Object.defineProperty(document, 'currentScript', had);
      else Reflect.deleteProperty(document, 'currentScript');
    }
    await until('the plugin to initialise', () => Flex.KeyboardShortcutManager.keyboardShortcuts['3'] !== undefined);
    const { live: l, task } = await live();
    const c = await h.flex.render(<Flex.CallCanvasActions task={task} />);
    await until('the bundle’s button', () => c.querySelector('[data-testid="pause-recording-button"]'));
    await h.flex.showTask(task);
    await press('3');
    await until('paused through the bundle', async () => (await status(l)) === 'paused');
    await Flex.Actions.invokeAction('ResumeCallRecording', { task });
    // The bundle's components and shortcuts stay for the file: remove them as dispose would.
    Flex.KeyboardShortcutManager.deleteShortcuts(['2', '3', '4']);
    Flex.CallCanvasActions.Content.remove('pause-recording-button');
  });
});

describe('Flex actions', () => {
  it('PauseCallRecording and ResumeCallRecording with { task } change the real recording', async () => {
    start(serverConfig());
    const { live: l, task } = await live();
    await Flex.Actions.invokeAction('PauseCallRecording', { task });
    expect(await status(l)).toBe('paused');
    await Flex.Actions.invokeAction('ResumeCallRecording', { task });
    expect(await status(l)).toBe('recording');
    await Flex.Actions.invokeAction('ToggleCallRecording', { task });
    expect(await status(l)).toBe('paused');
    await Flex.Actions.invokeAction('ToggleCallRecording', { task });
    expect(await status(l)).toBe('recording');
  });

  it('another plugin can veto them with a before-listener abort', async () => {
    start(serverConfig());
    const { live: l, task } = await live();
    const veto = (_payload: unknown, abort: () => void): void => abort();
    Flex.Actions.addListener('beforePauseCallRecording', veto);
    try {
      await expect(Flex.Actions.invokeAction('PauseCallRecording', { task })).rejects.toThrow();
      expect(await status(l)).toBe('recording');
    } finally {
      Flex.Actions.removeListener('beforePauseCallRecording', veto);
    }
    await Flex.Actions.invokeAction('PauseCallRecording', { task });
    expect(await status(l)).toBe('paused');
  });

  it('after-listeners see the payload the action ran with', async () => {
    start(serverConfig());
    const { task } = await live();
    const seen: string[] = [];
    const after = (p: { task: Flex.ITask }): void => {
      seen.push(p.task.taskSid);
    };
    Flex.Actions.addListener('afterToggleCallRecording', after);
    await Flex.Actions.invokeAction('ToggleCallRecording', { task });
    Flex.Actions.removeListener('afterToggleCallRecording', after);
    expect(seen).toEqual([task.taskSid]);
  });
});

describe('keyboard shortcuts through Flex KeyboardShortcutManager', () => {
  it('Ctrl+Shift+3 pauses and Ctrl+Shift+4 resumes the selected task; Ctrl+Shift+2 toggles', async () => {
    const { flex: f } = start(serverConfig());
    const { live: l, task } = await live();
    await f.showTask(task);
    await press('3');
    await until('paused', async () => (await status(l)) === 'paused');
    await press('4');
    await until('resumed', async () => (await status(l)) === 'recording');
    await press('2');
    await until('toggled to paused', async () => (await status(l)) === 'paused');
    await press('2');
    await until('toggled back', async () => (await status(l)) === 'recording');
  });

  it('a second press inside the throttle is dropped and Flex says so', async () => {
    const { flex: f } = start(serverConfig());
    const { live: l, task } = await live();
    await f.showTask(task);
    let invoked = 0;
    const count = (): void => {
      invoked++;
    };
    Flex.Actions.addListener('beforeToggleCallRecording', count);
    try {
      await press('2');
      await pressCtrlShiftDigit('2');
      await until('paused', async () => (await status(l)) === 'paused');
      expect(invoked).toBe(1);
      expect(Flex.Notifications.isNotificationActive('ShortcutUsedTooRecentlyNotificationTitle')).toBe(true);
    } finally {
      Flex.Actions.removeListener('beforeToggleCallRecording', count);
    }
  });

  it('can be remapped and disabled like Flex’s own shortcuts', async () => {
    const { flex: f } = start(serverConfig());
    const { live: l, task } = await live();
    await f.showTask(task);
    Flex.KeyboardShortcutManager.remapShortcut('3', '7');
    await press('3');
    await press('7');
    await until('paused by the remapped key', async () => (await status(l)) === 'paused');
    Flex.KeyboardShortcutManager.remapShortcut('7', '3');
    const saved = { ...Flex.KeyboardShortcutManager.keyboardShortcuts };
    Flex.KeyboardShortcutManager.disableShortcuts();
    await press('4');
    await new Promise((r) => setTimeout(r, 300));
    expect(await status(l)).toBe('paused');
    Flex.KeyboardShortcutManager.addShortcuts(saved);
  });
});
