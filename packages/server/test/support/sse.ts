/** Test support: a real EventSource-like reader of the server's `/api/events` stream. */
import type { LiveEvent } from '@pause-recording/core';
import type { System } from './system.ts';

/** Reads server-sent events from /api/events into `events` until `stop` is called. */
export function listen(s: System, token: string): { events: LiveEvent[]; ready: Promise<void>; stop: () => void } {
  const events: LiveEvent[] = [];
  const ac = new AbortController();
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  void (async () => {
    // As the desktop does it: a single-use ticket, never the bearer token, in the URL.
    const t = await s.api('POST', '/api/events/ticket', { token });
    if (t.status !== 201) throw new Error(`events ticket: ${t.status} ${t.text}`);
    const res = await fetch(`${s.url}/api/events?ticket=${encodeURIComponent(t.body['ticket'] as string)}`, { signal: ac.signal });
    await readFrames(res, { hello: markReady, event: (e) => events.push(e) });
  })();
  return { events, ready, stop: () => ac.abort() };
}

/** Reads the frames of an event-stream response until it ends or is aborted: `hello` once, then each event's data. */
export async function readFrames(res: Response, on: { readonly hello: () => void; readonly event: (e: LiveEvent) => void }): Promise<void> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (frame.includes('event: hello')) on.hello();
        else if (data) on.event(JSON.parse(data.slice(6)) as LiveEvent);
      }
    }
  } catch {
    // aborted
  }
}
