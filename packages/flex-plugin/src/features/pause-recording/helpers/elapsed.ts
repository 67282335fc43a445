/** `m:ss` since an ISO instant (0:00 when unknown or in the future: clocks differ slightly). */
export function elapsedSince(since: string | null, now: number = Date.now()): string {
  const s = since === null ? 0 : Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
