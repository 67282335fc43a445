import type { LiveEvent, LiveEventType } from '@pause-recording/core';

const TYPES: readonly LiveEventType[] = ['task.offered', 'task.updated', 'recording.state', 'recording.reminder', 'recording.auto-resumed', 'recording.alarm'];

export interface LiveEventHandlers {
  readonly onEvent: (e: LiveEvent) => void;
  /** Called on every (re)connection: whatever happened while disconnected must be fetched again. */
  readonly onOpen?: () => void;
}

/** Opens the server's event stream (EventSource reconnects by itself) and returns a closer. */
export function openLiveEvents(url: string, h: LiveEventHandlers): () => void {
  const source = new EventSource(url);
  for (const type of TYPES) {
    source.addEventListener(type, (msg) => {
      try {
        h.onEvent(JSON.parse((msg as MessageEvent<string>).data) as LiveEvent);
      } catch {
        // A frame we cannot read is dropped; the next state event or refetch corrects the view.
      }
    });
  }
  source.addEventListener('open', () => h.onOpen?.());
  return () => source.close();
}
