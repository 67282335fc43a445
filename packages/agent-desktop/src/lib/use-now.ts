import { useEffect, useState } from 'react';

/** The current time in ms, re-rendering every `intervalMs` while `active` (for visible timers). */
export function useNow(active = true, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    // Reading the clock as the timer starts is the subscription to an external source this rule
    // allows in callbacks; doing it here keeps a timer that was idle from showing a stale time.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [active, intervalMs]);
  return now;
}
