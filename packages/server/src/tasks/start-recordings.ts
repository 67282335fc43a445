import { dualChannelApplies } from '@pause-recording/core';
import type { User } from '../auth/user-directory.ts';
import { ProviderError } from '../provider/provider-errors.ts';
import type { ProviderRecording } from '../provider/twilio-provider.ts';
import { defaultSleep } from '../provider/retry.ts';
import type { ContactCenterDeps } from './contact-center.ts';
import type { TaskRecord } from './task-store.ts';

// The recordings an accepted call starts (config's dual-channel recording) and their audit; the contact center's.

export async function startRecordings(d: ContactCenterDeps, url: (path: string) => string, task: TaskRecord, user: User): Promise<void> {
  const dual = d.app.dualChannelRecording;
  let expected = d.app.callRecordingEnabled ? 1 : 0;
  if (dualChannelApplies(dual, task)) {
    const legSid = dual.channel === 'worker' ? task.workerCallSid : task.attributes.call_sid;
    if (legSid !== null) {
      const startedAt = Date.now();
      try {
        const rec = await d.provider.createCallRecording(
          legSid,
          { channels: 'dual', statusCallback: url('/webhooks/recording-status') },
          { waitMs: d.acceptWaitMs, notInProgressRetryMs: 100 },
        );
        await recordingStarted(d, task, user, rec, startedAt, { channel: dual.channel, callSid: legSid });
        expected += 1;
      } catch (e) {
        await auditRecordingStart(d, task, user, 'failed', [], {
          channel: dual.channel,
          callSid: legSid,
          error: e instanceof Error ? e.message : String(e),
          twilioErrorCode: e instanceof ProviderError ? e.twilioErrorCode : null,
        });
        d.logger.error({ err: e, taskSid: task.sid }, 'could not start the dual-channel recording');
      }
    }
  }
  // Wait until the provider lists every recording we expect (the conference one starts with the conference).
  const deadline = Date.now() + d.acceptWaitMs;
  for (;;) {
    const recs = await d.recordingService.listAndRemember(task);
    const active = recs.filter((r) => r.status === 'in-progress' || r.status === 'paused').length;
    if (active >= expected || Date.now() >= deadline) {
      d.recordingService.publishState(task, await d.recordingService.buildState(task, recs));
      return;
    }
    await defaultSleep(50);
  }
}

function recordingStartEvent(task: TaskRecord, user: User, outcome: 'ok' | 'failed', sids: string[], details: Record<string, unknown>) {
  return {
    action: 'recording-start' as const,
    outcome,
    actor: user.identity,
    role: user.role,
    taskSid: task.sid,
    callSid: task.attributes.call_sid,
    conferenceSid: task.conferenceSid,
    recordingSids: sids,
    details,
  };
}

async function auditRecordingStart(
  d: ContactCenterDeps,
  task: TaskRecord,
  user: User,
  outcome: 'ok' | 'failed',
  sids: string[],
  details: Record<string, unknown>,
): Promise<void> {
  await d.ledger.append(recordingStartEvent(task, user, outcome, sids, details));
}

/** A recording this server started: remembered and audited in one ledger call. */
export async function recordingStarted(
  d: ContactCenterDeps,
  task: TaskRecord,
  user: User,
  rec: ProviderRecording,
  startedAt: number,
  details: Record<string, unknown>,
): Promise<void> {
  const event = recordingStartEvent(task, user, 'ok', [rec.sid], details);
  await d.recordingService.book.store(task.sid, { taskSid: task.sid, remember: [rec], firstSeenAt: startedAt, append: [event] }, 'recording started');
}
