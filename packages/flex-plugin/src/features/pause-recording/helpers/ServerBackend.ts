import type { LiveEvent, TaskRecordingState } from '@pause-recording/core';
import type { RecordingTask, RecordingView } from '../types/RecordingTask.ts';
import { BackendError, type LiveKind, type LiveListener, type RecordingBackend, type TokenSource } from './RecordingBackend.ts';

export interface ServerBackendOptions {
  /** The control server, e.g. `https://recording.example.com`. */
  readonly serverUrl: string;
  /** The agent's token, sent as `Authorization: Bearer`. */
  readonly token: TokenSource;
  readonly fetch?: typeof fetch;
  /** Delay before reconnecting the live events after a drop (ms). */
  readonly reconnectMs?: number;
}

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string };
}

export function viewOf(state: TaskRecordingState): RecordingView {
  return { taskSid: state.taskSid, status: state.status, capturing: state.capturing, pausedAt: state.pausedAt };
}

/**
 * The control server's task-level API: the server decides and its state is the truth (all-or-nothing
 * over every recording of the task, reminders, auto-resume). Live events on `/api/events` keep every
 * tab in step with changes made elsewhere (another tab, a supervisor, the auto-resume).
 */
export class ServerBackend implements RecordingBackend {
  readonly kind = 'server';
  private readonly listeners = new Set<LiveListener>();
  private live: AbortController | null = null;
  private closed = false;

  constructor(private readonly o: ServerBackendOptions) {}

  private async request(method: 'GET' | 'POST', path: string): Promise<TaskRecordingState> {
    const f = this.o.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(`${this.o.serverUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.o.token()}`,
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
    } catch (e) {
      throw new BackendError('unreachable', `${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const body = (await res.json().catch(() => ({}))) as TaskRecordingState & ErrorBody;
    if (res.ok) return body;
    const message = `${path}: ${body.error?.message ?? `HTTP ${res.status}`}`;
    if (res.status === 401 || res.status === 403) throw new BackendError('unauthorized', message);
    if (res.status >= 500) throw new BackendError('unreachable', message);
    throw new BackendError('rejected', message);
  }

  private async change(task: RecordingTask, action: 'pause' | 'resume' | 'toggle'): Promise<RecordingView> {
    try {
      return this.emit(viewOf(await this.request('POST', `/api/tasks/${encodeURIComponent(task.taskSid)}/recording/${action}`)));
    } catch (e) {
      // A refused change on a task without recordings is "nothing to pause", told apart by the truth.
      if (e instanceof BackendError && e.failure === 'rejected') {
        const now = await this.current(task).catch(() => null);
        if (now?.status === 'not-recording') throw new BackendError('no-recording', e.message);
      }
      throw e;
    }
  }

  private emit(view: RecordingView, kind: LiveKind = 'state'): RecordingView {
    for (const l of this.listeners) l(view, kind);
    return view;
  }

  pause(task: RecordingTask): Promise<RecordingView> {
    return this.change(task, 'pause');
  }

  resume(task: RecordingTask): Promise<RecordingView> {
    return this.change(task, 'resume');
  }

  /** The server decides from the recordings' real state, never from a cached flag. */
  toggle(task: RecordingTask): Promise<RecordingView> {
    return this.change(task, 'toggle');
  }

  async current(task: RecordingTask): Promise<RecordingView> {
    return viewOf(await this.request('GET', `/api/tasks/${encodeURIComponent(task.taskSid)}/recording`));
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    if (this.live === null && !this.closed) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopLive();
    };
  }

  private stopLive(): void {
    this.live?.abort();
    this.live = null;
  }

  /** Reads `/api/events` with fetch (headers allowed, unlike EventSource) and reconnects on a drop. */
  private connect(): void {
    const ac = new AbortController();
    this.live = ac;
    const f = this.o.fetch ?? fetch;
    void (async () => {
      try {
        const res = await f(`${this.o.serverUrl.replace(/\/$/, '')}/api/events`, {
          headers: { authorization: `Bearer ${this.o.token()}`, accept: 'text/event-stream' },
          signal: ac.signal,
        });
        if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            if (data === undefined || frame.includes('event: hello')) continue;
            const event = JSON.parse(data.slice(6)) as LiveEvent;
            if (event.type === 'recording.state') this.emit(viewOf(event.state));
            else if (event.type === 'recording.reminder') this.emit(viewOf(event.state), 'reminder');
            else if (event.type === 'recording.auto-resumed') this.emit(viewOf(event.state), 'auto-resumed');
            else if (event.type === 'recording.alarm') this.emit(viewOf(event.state), 'alarm');
          }
        }
      } catch {
        // Dropped or refused: retried below unless closed.
      }
      if (this.live === ac && !ac.signal.aborted && !this.closed) {
        setTimeout(() => {
          if (this.live === ac && !this.closed) this.connect();
        }, this.o.reconnectMs ?? 2000);
      }
    })();
  }

  close(): void {
    this.closed = true;
    this.stopLive();
    this.listeners.clear();
  }
}
