import { describe, expect, it } from 'vitest';
import type { ActionName } from '../actions/action-names.ts';
import { createShortcutHandler } from './shortcut-handler.ts';
import { DEFAULT_SETTINGS, type KeyLike, type ShortcutSettings } from './shortcut-model.ts';

/** What a real keyboard sends for Ctrl+Shift+<digit>: the key is the shifted symbol, the code the digit. */
function ctrlShift(digit: string, key: string): KeyLike {
  return { code: `Digit${digit}`, key, ctrlKey: true, shiftKey: true, altKey: false, metaKey: false } as KeyLike;
}

function setup(settings: ShortcutSettings = DEFAULT_SETTINGS) {
  let clock = 10_000;
  const fired: ActionName[] = [];
  const handle = createShortcutHandler({ settings: () => settings, invoke: (a) => fired.push(a), now: () => clock });
  return { handle, fired, advance: (ms: number) => (clock += ms) };
}

describe('keyboard shortcuts', () => {
  it('Ctrl+Shift+2/3/4 map to toggle/pause/resume by event.code, whatever symbol the key produced', () => {
    const { handle, fired } = setup();
    expect(handle(ctrlShift('2', '@'))).toBe(true);
    expect(handle(ctrlShift('3', '#'))).toBe(true);
    expect(handle(ctrlShift('4', '$'))).toBe(true);
    expect(fired).toEqual(['ToggleCallRecording', 'PauseCallRecording', 'ResumeCallRecording']);
  });

  it('needs the exact modifiers', () => {
    const { handle, fired } = setup();
    expect(handle({ ...ctrlShift('3', '#'), shiftKey: false })).toBe(false);
    expect(handle({ ...ctrlShift('3', '#'), ctrlKey: false })).toBe(false);
    expect(handle({ ...ctrlShift('3', '#'), altKey: true })).toBe(false);
    expect(fired).toEqual([]);
  });

  it('fires each shortcut at most once per 1000 ms', () => {
    const { handle, fired, advance } = setup();
    handle(ctrlShift('3', '#'));
    advance(999);
    handle(ctrlShift('3', '#'));
    expect(fired).toEqual(['PauseCallRecording']);
    // Another shortcut has its own window.
    handle(ctrlShift('4', '$'));
    expect(fired).toEqual(['PauseCallRecording', 'ResumeCallRecording']);
    advance(1);
    handle(ctrlShift('3', '#'));
    expect(fired).toEqual(['PauseCallRecording', 'ResumeCallRecording', 'PauseCallRecording']);
  });

  it('honours a changed throttle and a remapped key', () => {
    const settings: ShortcutSettings = {
      enabled: true,
      shortcuts: DEFAULT_SETTINGS.shortcuts.map((s) => (s.id === 'pause-recording' ? { ...s, code: 'KeyP', throttleMs: 5000 } : s)),
    };
    const { handle, fired, advance } = setup(settings);
    expect(handle(ctrlShift('3', '#'))).toBe(false);
    handle({ code: 'KeyP', ctrlKey: true, shiftKey: true, altKey: false, metaKey: false });
    advance(4000);
    handle({ code: 'KeyP', ctrlKey: true, shiftKey: true, altKey: false, metaKey: false });
    expect(fired).toEqual(['PauseCallRecording']);
  });

  it('does nothing when all shortcuts are disabled', () => {
    const { handle, fired } = setup({ ...DEFAULT_SETTINGS, enabled: false });
    expect(handle(ctrlShift('2', '@'))).toBe(false);
    expect(fired).toEqual([]);
  });
});
