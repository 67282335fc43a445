import { isPauseBehavior, isSid, sidProblem, type SidKind } from '@pause-recording/core';
import { retrySettings, workerTaskCheckEnabled, type FnContext } from './config.ts';
import { flexFunction, type Answer, type FnEvent, type Required } from './flex-function.ts';
import type { TokenResult } from './token.ts';
import { twilioClient, withRetry, type Attempt } from './twilio.ts';
import { checkWorkerTask, type Owner } from './worker-task.ts';

const CURRENT = 'Twilio.CURRENT';
/** Twilio's default `PauseBehavior`, and the template's when the plugin sends none. */
const DEFAULT_PAUSE_BEHAVIOR = 'silence';

class BadField extends Error {}

/** A SID the caller sent, checked with core's rules (Twilio would answer 404 for a malformed one; we name the field). */
function sidField(context: FnContext, event: FnEvent, key: string, kind: SidKind, allowCurrent = false): string | undefined {
  const v = event[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (allowCurrent && v === CURRENT) return v;
  if (!isSid(kind, v)) throw new BadField(`(${context.PATH}) ${key}: ${sidProblem(kind, v) ?? 'not a valid SID'}${allowCurrent ? ' (or Twilio.CURRENT)' : ''}`);
  return v;
}

function ownerOf(context: FnContext, event: FnEvent, kind: Owner['kind']): Owner {
  const sid = sidField(context, event, kind === 'call' ? 'callSid' : 'conferenceSid', kind);
  // The required-field check ran first; this only narrows the type.
  if (sid === undefined) throw new BadField(`(${context.PATH}) Missing ${kind === 'call' ? 'callSid' : 'conferenceSid'}`);
  return kind === 'call' ? { kind, callSid: sid } : { kind, conferenceSid: sid };
}

/** The template's answer: `{recording, success, message, twilioDocPage, twilioErrorCode}` with Twilio's status on failure. */
function answer(result: Attempt<object>): Answer {
  if (result.success) return { status: 200, body: { recording: result.data, success: true } };
  const { status, message, twilioDocPage, twilioErrorCode } = result;
  return { status, body: { success: false, message, twilioDocPage, twilioErrorCode } };
}

/** Validation, then the worker-to-task check (unless turned off), then the change with the template's retries. */
async function guarded(
  context: FnContext,
  event: FnEvent,
  token: TokenResult,
  kind: Owner['kind'],
  change: (owner: Owner) => Promise<Answer>,
): Promise<Answer> {
  let owner: Owner;
  try {
    owner = ownerOf(context, event, kind);
  } catch (e) {
    if (e instanceof BadField) return { status: 400, body: { data: null, message: e.message } };
    throw e;
  }
  if (workerTaskCheckEnabled(context)) {
    const verdict = await checkWorkerTask(context, twilioClient(context), token, owner);
    if (!verdict.ok) return { status: verdict.status, body: { success: false, message: verdict.message } };
  }
  try {
    return await change(owner);
  } catch (e) {
    if (e instanceof BadField) return { status: 400, body: { data: null, message: e.message } };
    throw e;
  }
}

/** Updates a call's or a conference's recording; the SDK's instance is answered as is (its JSON is the 18 or 17 fields the template returns). */
function updateRecording(
  context: FnContext,
  owner: Owner,
  recordingSid: string,
  params: { status: 'paused' | 'in-progress'; pauseBehavior?: string },
): Promise<object> {
  const client = twilioClient(context);
  if (owner.kind === 'call') return client.calls(owner.callSid).recordings(recordingSid).update(params);
  return client.conferences(owner.conferenceSid).recordings(recordingSid).update(params);
}

/** `pause-{call,conference}-recording`: `recordingSid` defaults to `Twilio.CURRENT`, `pauseBehavior` to `silence`. */
export function pauseFunction(kind: Owner['kind']) {
  const key = kind === 'call' ? 'callSid' : 'conferenceSid';
  const required: Required[] = [{ key, purpose: `unique ID of ${kind} to pause recording` }];
  return flexFunction(required, (context, event, token) =>
    guarded(context, event, token, kind, async (owner) => {
      const recordingSid = sidField(context, event, 'recordingSid', 'recording', true) ?? CURRENT;
      const pb = event['pauseBehavior'];
      const pauseBehavior = pb === undefined || pb === null || pb === '' ? DEFAULT_PAUSE_BEHAVIOR : pb;
      if (!isPauseBehavior(pauseBehavior)) throw new BadField(`(${context.PATH}) pauseBehavior: must be skip or silence`);
      return answer(await withRetry(retrySettings(context), () => updateRecording(context, owner, recordingSid, { status: 'paused', pauseBehavior })));
    }),
  );
}

/** `resume-{call,conference}-recording`: the recording to resume is required (the plugin remembers the one it paused). */
export function resumeFunction(kind: Owner['kind']) {
  const key = kind === 'call' ? 'callSid' : 'conferenceSid';
  const required: Required[] = [
    { key, purpose: `unique ID of ${kind} to resume recording` },
    { key: 'recordingSid', purpose: 'unique ID of recording to resume' },
  ];
  return flexFunction(required, (context, event, token) =>
    guarded(context, event, token, kind, async (owner) => {
      const recordingSid = sidField(context, event, 'recordingSid', 'recording', true) ?? CURRENT;
      return answer(await withRetry(retrySettings(context), () => updateRecording(context, owner, recordingSid, { status: 'in-progress' })));
    }),
  );
}

/** `dual-channel-recording/.../create-recording`: a dual-channel recording of one call leg. */
export function createRecordingFunction() {
  return flexFunction([{ key: 'callSid', purpose: 'unique ID of call to record' }], (context, event, token) =>
    guarded(context, event, token, 'call', async (owner) => {
      if (owner.kind !== 'call') throw new BadField(`(${context.PATH}) callSid: required`);
      const client = twilioClient(context);
      return answer(await withRetry(retrySettings(context), () => client.calls(owner.callSid).recordings.create({ recordingChannels: 'dual' })));
    }),
  );
}
