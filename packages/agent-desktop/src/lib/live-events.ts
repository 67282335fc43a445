import type { LiveEvent, LiveEventType } from '@pause-recording/core';

const TYPES: readonly LiveEventType[] = ['task.offered', 'task.updated', 'recording.state', 'recording.reminder', 'recording.auto-resumed', 'recording.alarm'];

export interface LiveEventHandlers {
  readonly onEvent: (e: LiveEvent) => void;
  /** Called on every (re)connection: whatever happened while disconnected must be fetched again. */
  readonly onOpen?: () => void;
  /** Called when no new stream URL can be had (e.g. the session was revoked); no more retries. */
  readonly onGiveUp?: (err: unknown) => void;
}

export interface LiveEventOptions {
  /** First wait before reconnecting; doubles up to `maxRetryMs`. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /** True when an error from `nextUrl` means retrying is pointless (signed out). */
  readonly isFatal?: (err: unknown) => boolean;
}

/**
 * Opens the server's event stream and keeps it open, returning a closer. Each URL carries a
 * single-use ticket, so EventSource's own reconnect (same URL) cannot work: on an error the
 * source is closed and a new one opened with a fresh URL from `nextUrl`, with capped backoff.
 */
export function openLiveEvents(nextUrl: () => Promise<string>, h: LiveEventHandlers, o: LiveEventOptions = {}): () => void {
  const first = o.retryMs ?? 1000;
  const max = o.maxRetryMs ?? 15_000;
  let delay = first;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const retry = (): void => {
    if (closed) return;
    timer = setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, max);
  };
  const connect = async (): Promise<void> => {
    let url: string;
    try {
      url = await nextUrl();
    } catch (err) {
      if (o.isFatal?.(err) === true) h.onGiveUp?.(err);
      else retry();
      return;
    }
    if (closed) return;
    const s = new EventSource(url);
    source = s;
    for (const type of TYPES) {
      s.addEventListener(type, (msg) => {
        try {
          h.onEvent(JSON.parse((msg as MessageEvent<string>).data) as LiveEvent);
        } catch {
          // A frame we cannot read is dropped; the next state event or refetch corrects the view.
        }
      });
    }
    s.addEventListener('open', () => {
      delay = first;
      h.onOpen?.();
    });
    s.addEventListener('error', () => {
      // The ticket in this URL is spent: never let EventSource retry it; start over with a new one.
      s.close();
      if (source === s) source = null;
      retry();
    });
  };
  void connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}
