import { useState } from 'react';

/**
 * A number field that keeps what is being typed and commits whole, non-negative values on Enter
 * or when focus leaves (a changed throttle can move the row to "custom", so not on every key).
 */
export function ThrottleInput({ value, label, onCommit }: { value: number; label: string; onCommit: (ms: number) => void }) {
  const [draft, setDraft] = useState(String(value));
  // A new value from the store replaces the draft, adjusted during render rather than in an
  // effect (no second render pass with the stale draft).
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(String(value));
  }
  const commit = (): void => {
    if (/^\d+$/.test(draft) && Number(draft) !== value) onCommit(Number(draft));
    else setDraft(String(value));
  };
  return (
    <input
      type="number"
      min={0}
      step={100}
      aria-label={label}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
      onBlur={commit}
    />
  );
}
