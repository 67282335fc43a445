import type { ActionName } from '../actions/action-names.ts';

export interface Shortcut {
  readonly id: string;
  readonly action: ActionName;
  /** `KeyboardEvent.code` (`Digit3`): the physical key, so Shift+3 is not mistaken for `#`. */
  readonly code: string;
  readonly ctrl: boolean;
  readonly shift: boolean;
  readonly alt: boolean;
  /** At most one firing per this many ms (the seed's throttle). */
  readonly throttleMs: number;
  /** One of the desktop's own defaults (as opposed to one the agent added). */
  readonly builtIn: boolean;
}

export interface ShortcutSettings {
  readonly enabled: boolean;
  readonly shortcuts: readonly Shortcut[];
}

export const DEFAULT_THROTTLE_MS = 1000;

export const DEFAULT_SHORTCUTS: readonly Shortcut[] = [
  {
    id: 'toggle-recording',
    action: 'ToggleCallRecording',
    code: 'Digit2',
    ctrl: true,
    shift: true,
    alt: false,
    throttleMs: DEFAULT_THROTTLE_MS,
    builtIn: true,
  },
  { id: 'pause-recording', action: 'PauseCallRecording', code: 'Digit3', ctrl: true, shift: true, alt: false, throttleMs: DEFAULT_THROTTLE_MS, builtIn: true },
  {
    id: 'resume-recording',
    action: 'ResumeCallRecording',
    code: 'Digit4',
    ctrl: true,
    shift: true,
    alt: false,
    throttleMs: DEFAULT_THROTTLE_MS,
    builtIn: true,
  },
];

export const DEFAULT_SETTINGS: ShortcutSettings = { enabled: true, shortcuts: DEFAULT_SHORTCUTS };

/** True when the shortcut differs from the default of the same id (or has none): a custom one. */
export function isCustom(s: Shortcut): boolean {
  const d = DEFAULT_SHORTCUTS.find((x) => x.id === s.id);
  return d === undefined || d.code !== s.code || d.ctrl !== s.ctrl || d.shift !== s.shift || d.alt !== s.alt || d.throttleMs !== s.throttleMs;
}

/** What a person reads: `Ctrl+Shift+3`. */
export function describeKeys(s: Pick<Shortcut, 'code' | 'ctrl' | 'shift' | 'alt'>): string {
  const key = s.code
    .replace(/^Digit/, '')
    .replace(/^Key/, '')
    .replace(/^Numpad/, 'Num ');
  return [s.ctrl ? 'Ctrl' : null, s.alt ? 'Alt' : null, s.shift ? 'Shift' : null, key].filter((x) => x !== null).join('+');
}

export interface KeyLike {
  readonly code: string;
  readonly ctrlKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
}

export function matches(s: Shortcut, e: KeyLike): boolean {
  // Cmd on macOS counts as Ctrl, as Flex does.
  return e.code === s.code && (e.ctrlKey || e.metaKey) === s.ctrl && e.shiftKey === s.shift && e.altKey === s.alt;
}
