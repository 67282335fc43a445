/** `m:ss` (or `h:mm:ss`) for a span of whole seconds; negative spans count as zero. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Whole seconds from the ISO instant `since` to `now`. */
export function secondsSince(since: string, now: number): number {
  return Math.floor((now - Date.parse(since)) / 1000);
}
