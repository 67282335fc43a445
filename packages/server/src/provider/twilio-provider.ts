import twilio from 'twilio';
import { isRecordingStatus, type PauseBehavior, type RecordingSummary } from '@pause-recording/core';
import { parseCaptureLog, type CaptureLog } from './capture-log.ts';
import { isTransientProviderError, ProviderError, toProviderError } from './provider-errors.ts';
import { LeanRequestClient, type ProviderObserver } from './request-client.ts';
import { defaultSleep, withRetry, type RetryPolicy } from './retry.ts';

/**
 * The only way the server reaches calls and recordings: Twilio's REST API through the official
 * `twilio` SDK, carried by LeanRequestClient (node:http/https keep-alive, no axios). In embedded mode `apiBaseUrl` points the SDK at voice-engine; in production it
 * is null and the SDK talks to api.twilio.com. Every call goes through `retry`: transient
 * failures are retried with jittered backoff within the budget, permanent ones become
 * ProviderErrors with names.
 */
/** A recording as the provider reports it: the task API's summary plus what only Twilio knows. */
export interface ProviderRecording extends RecordingSummary {
  readonly startTime: string | null;
  readonly duration: string | null;
  readonly track: string | null;
}

export type RecordingOwner = { readonly kind: 'call'; readonly callSid: string } | { readonly kind: 'conference'; readonly conferenceSid: string };

export interface ProviderOptions {
  readonly accountSid: string;
  readonly authToken: string;
  readonly apiBaseUrl: string | null;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly onRetry?: (what: string, attempt: number, delayMs: number, error: unknown) => void;
  /** Told of every HTTP request the SDK makes (each retry attempt is one): for /metrics. */
  readonly observe?: ProviderObserver;
}

export { routeOf, type ProviderObserver } from './request-client.ts';

/**
 * What `toRecording` reads from the SDK's three `RecordingInstance` classes (of a call, of a
 * conference, of the account): each of them fits this shape as it is. Only a call's recording
 * has `track`; the SDK types `startTime` as non-null, the API may still send null.
 */
interface SdkRecording {
  sid: string;
  status: string;
  source: string;
  channels: number;
  callSid: string;
  conferenceSid: string;
  startTime: Date | null;
  duration: string | null;
  track?: string;
}

function toRecording(r: SdkRecording): ProviderRecording {
  return {
    sid: r.sid,
    status: isRecordingStatus(r.status) ? r.status : 'failed',
    source: String(r.source),
    channels: Number(r.channels),
    callSid: r.callSid || null,
    conferenceSid: r.conferenceSid || null,
    startTime: r.startTime instanceof Date && !Number.isNaN(r.startTime.getTime()) ? r.startTime.toISOString() : null,
    duration: r.duration ?? null,
    track: r.track ?? null,
  };
}

/** A page of an SDK listing, as far as `everyRecord` reads it. */
interface SdkPage<T> {
  readonly instances: T[];
  nextPage(): Promise<SdkPage<T>> | undefined;
}

/**
 * Every record of a listing, following the SDK's pages as its `list()` does (the same requests),
 * without list()'s per-record callback machinery: a pause lists three times.
 */
async function everyRecord<T>(first: Promise<SdkPage<T>>): Promise<T[]> {
  let page = await first;
  const all = page.instances.slice();
  for (let next = page.nextPage(); next !== undefined; next = page.nextPage()) {
    page = await next;
    for (const r of page.instances) all.push(r);
  }
  return all;
}

/**
 * A recording as the SDK serializes its `RecordingInstance` (camelCase, dates as ISO strings):
 * what a Twilio Function answers when it returns the instance (18 fields for a call's recording,
 * 17 for a conference's, which has no `track`).
 */
export type RecordingJson = Readonly<Record<string, unknown>>;

function recordingJson(r: object): RecordingJson {
  const json: unknown = JSON.parse(JSON.stringify(r));
  return typeof json === 'object' && json !== null ? (json as RecordingJson) : {};
}

export class TwilioProvider {
  readonly client: twilio.Twilio;
  private readonly apiOrigin: string;

  constructor(private readonly opts: ProviderOptions) {
    // The SDK over our own keep-alive transport (request-client.ts): 64 sockets per host kept open
    // for a burst of pauses (each is 4 requests), no axios per request.
    const httpClient = new LeanRequestClient({ timeout: opts.requestTimeoutMs, observe: opts.observe });
    this.client = twilio(opts.accountSid, opts.authToken, {
      region: '',
      edge: '',
      timeout: opts.requestTimeoutMs,
      accountSid: opts.accountSid,
      httpClient,
    });
    if (opts.apiBaseUrl !== null) this.client.api.baseUrl = opts.apiBaseUrl;
    this.apiOrigin = opts.apiBaseUrl ?? 'https://api.twilio.com';
  }

  /** Runs one SDK operation with the retry policy (or `retry`); `safeToRepeat` false retries only answered 429/5xx. */
  private async call<T>(what: string, op: () => Promise<T>, safeToRepeat = true, retry: RetryPolicy = this.opts.retry): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await op();
        } catch (e) {
          throw toProviderError(e, what);
        }
      },
      (e) => isTransientProviderError(e) && (safeToRepeat || (e instanceof ProviderError && e.twilioStatus !== null)),
      retry,
      { onRetry: (attempt, delay, e) => this.opts.onRetry?.(what, attempt, delay, e) },
    );
  }

  async listCallRecordings(callSid: string): Promise<ProviderRecording[]> {
    const list = await this.call(`list recordings of call ${callSid}`, () => everyRecord(this.client.calls(callSid).recordings.page()));
    return list.map((r) => toRecording(r));
  }

  async listConferenceRecordings(conferenceSid: string): Promise<ProviderRecording[]> {
    const list = await this.call(`list recordings of conference ${conferenceSid}`, () => everyRecord(this.client.conferences(conferenceSid).recordings.page()));
    return list.map((r) => toRecording(r));
  }

  async fetchRecording(recordingSid: string): Promise<ProviderRecording> {
    const r = await this.call(`fetch recording ${recordingSid}`, () => this.client.recordings(recordingSid).fetch());
    return toRecording(r);
  }

  /** Sets a recording's status (`paused` with a behaviour, `in-progress`, `stopped`). */
  async updateRecording(
    owner: RecordingOwner,
    recordingSid: string,
    status: 'paused' | 'in-progress' | 'stopped',
    pauseBehavior?: PauseBehavior,
    retry?: RetryPolicy,
  ): Promise<ProviderRecording> {
    return toRecording(await this.updateInstance(owner, recordingSid, status, pauseBehavior, retry));
  }

  /** `updateRecording`, also answering the SDK's JSON of the recording (what Twilio Functions return), optionally with another retry policy. */
  async changeRecording(
    owner: RecordingOwner,
    recordingSid: string,
    status: 'paused' | 'in-progress' | 'stopped',
    pauseBehavior?: PauseBehavior,
    retry?: RetryPolicy,
  ): Promise<{ recording: ProviderRecording; json: RecordingJson }> {
    const r = await this.updateInstance(owner, recordingSid, status, pauseBehavior, retry);
    return { recording: toRecording(r), json: recordingJson(r) };
  }

  /** The SDK's instance after the update; its JSON is made only when asked for (a pause does not need it). */
  private updateInstance(
    owner: RecordingOwner,
    recordingSid: string,
    status: 'paused' | 'in-progress' | 'stopped',
    pauseBehavior: PauseBehavior | undefined,
    retry: RetryPolicy | undefined,
  ): Promise<SdkRecording & object> {
    const params = status === 'paused' ? { status, pauseBehavior: pauseBehavior ?? 'silence' } : { status };
    if (owner.kind === 'call') {
      return this.call(
        `set recording ${recordingSid} of call ${owner.callSid} to ${status}`,
        () => this.client.calls(owner.callSid).recordings(recordingSid).update(params),
        true,
        retry,
      );
    }
    return this.call(
      `set recording ${recordingSid} of conference ${owner.conferenceSid} to ${status}`,
      () => this.client.conferences(owner.conferenceSid).recordings(recordingSid).update(params),
      true,
      retry,
    );
  }

  /** A dual-channel recording of a call leg, answered with the SDK's JSON too; no waiting for an unanswered leg (the template does not). */
  async startDualChannelRecording(callSid: string, retry?: RetryPolicy): Promise<{ recording: ProviderRecording; json: RecordingJson }> {
    const r = await this.call(
      `start recording of call ${callSid}`,
      () => this.client.calls(callSid).recordings.create({ recordingChannels: 'dual' }),
      false,
      retry,
    );
    return { recording: toRecording(r), json: recordingJson(r) };
  }

  /**
   * Starts a recording of one call leg. A leg that is not answered yet is refused with 21220
   * (CALL_NOT_IN_PROGRESS); that is retried every `notInProgressRetryMs` for up to `waitMs`.
   */
  async createCallRecording(
    callSid: string,
    params: { channels: 'mono' | 'dual'; track?: 'inbound' | 'outbound' | 'both'; statusCallback?: string },
    wait: { waitMs: number; notInProgressRetryMs: number } = { waitMs: 0, notInProgressRetryMs: 100 },
  ): Promise<ProviderRecording> {
    const deadline = Date.now() + wait.waitMs;
    for (;;) {
      try {
        const r = await this.call(
          `start recording of call ${callSid}`,
          () =>
            this.client.calls(callSid).recordings.create({
              recordingChannels: params.channels,
              ...(params.track === undefined ? {} : { recordingTrack: params.track }),
              ...(params.statusCallback === undefined
                ? {}
                : {
                    recordingStatusCallback: params.statusCallback,
                    recordingStatusCallbackEvent: ['in-progress', 'completed', 'absent'],
                  }),
            }),
          false,
        );
        return toRecording(r);
      } catch (e) {
        if (e instanceof ProviderError && e.code === 'CALL_NOT_IN_PROGRESS' && Date.now() < deadline) {
          await defaultSleep(wait.notInProgressRetryMs);
          continue;
        }
        throw e;
      }
    }
  }

  async fetchCallStatus(callSid: string): Promise<string> {
    const c = await this.call(`fetch call ${callSid}`, () => this.client.calls(callSid).fetch());
    return c.status;
  }

  /** Waits until a call leg is `in-progress` (answered), polling; throws CALL_NOT_IN_PROGRESS if it ends or never answers. */
  async waitForCallInProgress(callSid: string, waitMs: number, pollMs = 50): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      let status: string | null = null;
      try {
        status = await this.fetchCallStatus(callSid);
      } catch (e) {
        // A slow or failed poll is not the leg's answer: keep asking until the deadline.
        if (!isTransientProviderError(e) || Date.now() >= deadline) throw e;
      }
      if (status === 'in-progress') return;
      if ((status !== null && ['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(status)) || Date.now() >= deadline) {
        throw new ProviderError('CALL_NOT_IN_PROGRESS', `call ${callSid} is ${status ?? 'unknown'}, not in progress`, { transient: false });
      }
      await defaultSleep(pollMs);
    }
  }

  async hangupCall(callSid: string): Promise<void> {
    await this.call(`hang up call ${callSid}`, () => this.client.calls(callSid).update({ status: 'completed' }));
  }

  async endConference(conferenceSid: string): Promise<void> {
    await this.call(`end conference ${conferenceSid}`, () => this.client.conferences(conferenceSid).update({ status: 'completed' }));
  }

  /** The SID of the live conference with this friendly name, or null. */
  async findConference(friendlyName: string): Promise<string | null> {
    const list = await this.call(`find conference ${friendlyName}`, () => this.client.conferences.list({ friendlyName, limit: 20 }));
    const live = list.find((c) => c.friendlyName === friendlyName && c.status !== 'completed');
    return live?.sid ?? null;
  }

  async addParticipant(
    conferenceSid: string,
    p: {
      from: string;
      to: string;
      label: string;
      startConferenceOnEnter: boolean;
      endConferenceOnExit: boolean;
      statusCallback?: string;
    },
  ): Promise<{ callSid: string; status: string }> {
    const r = await this.call(
      `add ${p.to} to conference ${conferenceSid}`,
      () =>
        this.client.conferences(conferenceSid).participants.create({
          from: p.from,
          to: p.to,
          label: p.label,
          startConferenceOnEnter: p.startConferenceOnEnter,
          endConferenceOnExit: p.endConferenceOnExit,
          ...(p.statusCallback === undefined
            ? {}
            : { statusCallback: p.statusCallback, statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] }),
        }),
      false,
    );
    return { callSid: r.callSid, status: r.status };
  }

  /** The call SID of the participant labelled `label` (Twilio addresses a participant by its label too). */
  async participantCallSid(conferenceSid: string, label: string): Promise<string> {
    const p = await this.call(`fetch participant ${label} of conference ${conferenceSid}`, () =>
      this.client.conferences(conferenceSid).participants(label).fetch(),
    );
    return p.callSid;
  }

  /** Takes a participant out of a conference (their leg hangs up). */
  async removeParticipant(conferenceSid: string, callSid: string): Promise<void> {
    await this.call(`remove ${callSid} from ${conferenceSid}`, () => this.client.conferences(conferenceSid).participants(callSid).remove());
  }

  /** Puts a conference participant on hold (hears hold music, is not heard) or takes them off it. */
  async setHold(conferenceSid: string, callSid: string, hold: boolean): Promise<void> {
    await this.call(`${hold ? 'hold' : 'unhold'} ${callSid} in ${conferenceSid}`, () =>
      this.client.conferences(conferenceSid).participants(callSid).update({ hold }),
    );
  }

  /** Makes sure `phoneNumber` exists on the account and sends its calls to `voiceUrl`. */
  async ensureIncomingNumber(phoneNumber: string, voiceUrl: string, statusCallback: string): Promise<string> {
    const existing = await this.call(`list numbers`, () => this.client.incomingPhoneNumbers.list({ phoneNumber, limit: 20 }));
    const match = existing.find((n) => n.phoneNumber === phoneNumber);
    if (match !== undefined) {
      await this.call(`update number ${phoneNumber}`, () =>
        this.client.incomingPhoneNumbers(match.sid).update({ voiceUrl, voiceMethod: 'POST', statusCallback }),
      );
      return match.sid;
    }
    const created = await this.call(
      `create number ${phoneNumber}`,
      () => this.client.incomingPhoneNumbers.create({ phoneNumber, voiceUrl, voiceMethod: 'POST', statusCallback }),
      false,
    );
    return created.sid;
  }

  /** The recording's audio as WAV (`GET .../Recordings/{RE}.wav`), streamed. */
  /**
   * The recording's WAV. `range` (a `Range` header) is passed on: a provider that honours it
   * answers 206 or 416, one that does not answers 200 with the whole file (the caller cuts it).
   */
  async fetchRecordingMedia(recordingSid: string, range?: string): Promise<Response> {
    const url = `${this.apiOrigin}/2010-04-01/Accounts/${this.opts.accountSid}/Recordings/${recordingSid}.wav`;
    return this.call(`fetch media of ${recordingSid}`, async () => {
      const res = await fetch(url, {
        headers: { authorization: this.basicAuth(), ...(range === undefined ? {} : { range }) },
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs * 4),
      });
      if (res.status === 404) throw new ProviderError('NOT_FOUND', `recording ${recordingSid} has no media`, { transient: false, twilioStatus: 404 });
      if (res.status === 429 || res.status >= 500) {
        throw new ProviderError('UPSTREAM_UNAVAILABLE', `media of ${recordingSid}: HTTP ${res.status}`, { transient: true, twilioStatus: res.status });
      }
      if (res.status === 416) return res;
      if (!res.ok) throw new ProviderError('CONFLICT', `media of ${recordingSid}: HTTP ${res.status}`, { transient: false, twilioStatus: res.status });
      return res;
    });
  }

  /**
   * The engine's capture log of a recording (where in the audio each pause and resume took
   * effect), or null: against Twilio (no API base URL configured) nothing is asked; an engine
   * that does not answer, or answers something else, gives null too and the caller falls back
   * to its own clocks. Not retried: it refines an answer, it is not needed for one.
   */
  async fetchCaptureLog(recordingSid: string): Promise<CaptureLog | null> {
    if (this.opts.apiBaseUrl === null) return null;
    try {
      const res = await fetch(`${this.apiOrigin}/dev/recordings/${recordingSid}.json`, {
        headers: { authorization: this.basicAuth() },
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs),
      });
      if (!res.ok) return null;
      const log = parseCaptureLog(await res.json());
      return log !== null && log.sid === recordingSid ? log : null;
    } catch {
      return null;
    }
  }

  /**
   * Whether the provider answers now (for /health/ready): one small authenticated read, not
   * retried, bounded by `timeoutMs`. Throws what went wrong.
   */
  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ProviderError('UPSTREAM_TIMEOUT', `no answer within ${timeoutMs} ms`, { transient: true })), timeoutMs);
    });
    try {
      await Promise.race([this.client.recordings.list({ limit: 1 }), timeout]);
    } catch (e) {
      throw toProviderError(e, 'list one recording (readiness)');
    } finally {
      clearTimeout(timer);
    }
  }

  basicAuth(): string {
    return 'Basic ' + Buffer.from(`${this.opts.accountSid}:${this.opts.authToken}`).toString('base64');
  }
}
