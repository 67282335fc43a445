import type { RecordingTask, RecordingView } from '../types/RecordingTask.ts';
import { BackendError, type LiveKind, type LiveListener, type RecordingBackend, type TokenSource } from './RecordingBackend.ts';

export interface FunctionsBackendOptions {
  /** e.g. `https://custom-flex-extensions-serverless-1234-dev.twil.io/features/pause-recording/flex`. */
  readonly baseUrl: string;
  readonly token: TokenSource;
  readonly pauseBehavior: () => 'silence' | 'skip';
  /** Dual-channel: the call leg recorded (template: `dual_channel_recording.channel`); null: the conference. */
  readonly dualChannelLeg: () => 'customer' | 'worker' | null;
  readonly fetch?: typeof fetch;
}

interface PausedRecording {
  readonly recordingSid: string;
  readonly pausedAt: string;
}

interface FunctionResponse {
  readonly success?: boolean;
  readonly message?: string | null;
  readonly twilioErrorCode?: number | null;
  readonly recording?: { readonly sid?: string; readonly status?: string } | null;
}

// Twilio: "no active recording" (21220) and "not found" answers mean there is nothing to pause.
const NO_RECORDING_CODES = new Set([21220, 20404]);

/**
 * The template's Twilio Functions: form-encoded POSTs with the Flex token in `Token`. The Functions
 * are stateless, so (as the template does) the plugin remembers per reservation which recording it
 * paused, and resumes that one.
 */
export class FunctionsBackend implements RecordingBackend {
  readonly kind = 'functions';
  private readonly paused = new Map<string, PausedRecording>();
  private readonly listeners = new Set<LiveListener>();

  constructor(private readonly o: FunctionsBackendOptions) {}

  private target(task: RecordingTask): { kind: 'call'; callSid: string } | { kind: 'conference'; conferenceSid: string } {
    const leg = this.o.dualChannelLeg();
    if (leg !== null) {
      const participants = task.conference?.participants ?? [];
      const p = participants.find((x) => (leg === 'customer' ? x.participantType === 'customer' : x.participantType === 'worker' && x.isCurrentWorker));
      if (p?.callSid) return { kind: 'call', callSid: p.callSid };
      throw new BackendError('no-recording', `task ${task.taskSid}: no ${leg} call leg to find the dual-channel recording on`);
    }
    const conferenceSid = task.conference?.conferenceSid ?? task.attributes?.conference?.sid ?? undefined;
    if (!conferenceSid) throw new BackendError('no-recording', `task ${task.taskSid}: no conference, so no recording`);
    return { kind: 'conference', conferenceSid };
  }

  private fields(t: ReturnType<FunctionsBackend['target']>): Record<string, string> {
    return t.kind === 'call' ? { callSid: t.callSid } : { conferenceSid: t.conferenceSid };
  }

  private view(task: RecordingTask): RecordingView {
    const p = this.paused.get(task.sid);
    return { taskSid: task.taskSid, status: p ? 'paused' : 'recording', capturing: [], pausedAt: p?.pausedAt ?? null };
  }

  private async post(path: string, fields: Record<string, string>): Promise<FunctionResponse> {
    const f = this.o.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(`${this.o.baseUrl}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, Token: this.o.token() }).toString(),
      });
    } catch (e) {
      throw new BackendError('unreachable', `${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    let body: FunctionResponse = {};
    try {
      body = (await res.json()) as FunctionResponse;
    } catch {
      // Not JSON (a proxy's error page): the status below says enough.
    }
    if (res.ok && body.success !== false) return body;
    const message = `${path}: ${body.message ?? `HTTP ${res.status}`}`;
    if (res.status === 401 || res.status === 403) throw new BackendError('unauthorized', message);
    if (res.status === 404 || (body.twilioErrorCode !== undefined && body.twilioErrorCode !== null && NO_RECORDING_CODES.has(body.twilioErrorCode))) {
      throw new BackendError('no-recording', message);
    }
    throw new BackendError(res.status >= 500 ? 'unreachable' : 'rejected', message);
  }

  private emit(view: RecordingView, kind: LiveKind = 'state'): RecordingView {
    for (const l of this.listeners) l(view, kind);
    return view;
  }

  async pause(task: RecordingTask): Promise<RecordingView> {
    // Pausing twice is not an error (the seed pauses "if recording"): keep the first pause.
    if (this.paused.has(task.sid)) return this.view(task);
    const t = this.target(task);
    const fields = this.fields(t);
    const body = await this.post(`pause-${t.kind}-recording`, { ...fields, pauseBehavior: this.o.pauseBehavior() });
    const recordingSid = body.recording?.sid;
    if (!recordingSid) throw new BackendError('no-recording', `pause-${t.kind}-recording: answered no recording`);
    this.paused.set(task.sid, { recordingSid, pausedAt: new Date().toISOString() });
    return this.emit(this.view(task));
  }

  async resume(task: RecordingTask): Promise<RecordingView> {
    const p = this.paused.get(task.sid);
    // Nothing paused by this plugin: nothing to resume (the template logs and stops).
    if (!p) return this.view(task);
    const t = this.target(task);
    const fields = this.fields(t);
    await this.post(`resume-${t.kind}-recording`, { ...fields, recordingSid: p.recordingSid });
    this.paused.delete(task.sid);
    return this.emit(this.view(task));
  }

  toggle(task: RecordingTask): Promise<RecordingView> {
    return this.paused.has(task.sid) ? this.resume(task) : this.pause(task);
  }

  async current(task: RecordingTask): Promise<RecordingView> {
    return this.view(task);
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets a finished reservation (the plugin calls it on task completion). */
  forget(reservationSid: string): void {
    this.paused.delete(reservationSid);
  }

  close(): void {
    this.listeners.clear();
  }
}
