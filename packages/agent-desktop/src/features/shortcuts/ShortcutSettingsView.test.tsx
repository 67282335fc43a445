import { screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { ShortcutStore, SHORTCUTS_STORAGE_KEY, readShortcutSettings } from './shortcut-storage.ts';
import { ShortcutSettingsView } from './ShortcutSettingsView.tsx';

function setup() {
  const store = new ShortcutStore(localStorage);
  renderWithI18n(<ShortcutSettingsView store={store} />);
  return store;
}

const pauseOf = (store: ShortcutStore) => store.get().shortcuts.find((s) => s.id === 'pause-recording');

describe('shortcut settings', () => {
  it('lists the three defaults with their keys and no custom ones', () => {
    setup();
    const defaults = screen.getByRole('table', { name: 'Default shortcuts' });
    expect(within(defaults).getByRole('rowheader', { name: 'Pause recording' })).toBeTruthy();
    expect(within(defaults).getByText('Ctrl+Shift+3')).toBeTruthy();
    expect(within(defaults).getByText('Ctrl+Shift+2')).toBeTruthy();
    expect(within(defaults).getByText('Ctrl+Shift+4')).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Custom shortcuts' })).getByText('No custom shortcuts.')).toBeTruthy();
  });

  it('remaps a key by pressing it, moves it to custom shortcuts and persists it', async () => {
    const store = setup();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Remap: Pause recording' }));
    expect(screen.getByRole('button', { name: 'Remap: Pause recording' }).textContent).toBe('Press the new key…');
    await user.keyboard('{Control>}{Shift>}9{/Shift}{/Control}');
    expect(pauseOf(store)).toMatchObject({ code: 'Digit9', ctrl: true, shift: true, alt: false });
    expect(within(screen.getByRole('table', { name: 'Custom shortcuts' })).getByText('Ctrl+Shift+9')).toBeTruthy();
    expect(readShortcutSettings(localStorage).shortcuts.find((s) => s.id === 'pause-recording')?.code).toBe('Digit9');
  });

  it('changes the throttle', async () => {
    const store = setup();
    const input = screen.getByRole('spinbutton', { name: 'Throttle for Pause recording' });
    await userEvent.clear(input);
    await userEvent.type(input, '2500{Enter}');
    expect(pauseOf(store)?.throttleMs).toBe(2500);
  });

  it('deletes a shortcut, disables all, and resets to defaults', async () => {
    const store = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Delete: Resume recording' }));
    expect(store.get().shortcuts.map((s) => s.id)).toEqual(['toggle-recording', 'pause-recording']);
    await userEvent.click(screen.getByRole('button', { name: 'Disable all shortcuts' }));
    expect(store.get().enabled).toBe(false);
    expect(JSON.parse(localStorage.getItem(SHORTCUTS_STORAGE_KEY) ?? '{}')).toMatchObject({ enabled: false });
    await userEvent.click(screen.getByRole('button', { name: 'Reset to defaults' }));
    expect(store.get().enabled).toBe(true);
    expect(store.get().shortcuts.map((s) => s.id)).toEqual(['toggle-recording', 'pause-recording', 'resume-recording']);
    expect(localStorage.getItem(SHORTCUTS_STORAGE_KEY)).toBeNull();
  });

  it('a new store reads what an earlier one saved (a reload keeps the settings)', async () => {
    const first = setup();
    first.remap('toggle-recording', { code: 'KeyT', ctrl: true, shift: false, alt: true });
    expect(new ShortcutStore(localStorage).get().shortcuts[0]).toMatchObject({ code: 'KeyT', ctrl: true, shift: false, alt: true });
  });

  it('ignores saved settings it cannot read and falls back to the defaults', () => {
    localStorage.setItem(SHORTCUTS_STORAGE_KEY, '{"enabled":true,"shortcuts":[{"id":"x","action":"Nope"}]}');
    expect(new ShortcutStore(localStorage).get().shortcuts).toHaveLength(3);
  });
});
