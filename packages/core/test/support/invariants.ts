/**
 * Test support (not exported): the promises every settlement keeps, checked against what the model
 * provider really holds afterwards. Returns the broken promises, empty when all hold.
 */
import { aggregateRecordingStatus } from '../../src/aggregate-status.ts';
import { isActive } from '../../src/recording-status.ts';
import type { TaskLedger, TrackedRecording } from '../../src/orchestration/model.ts';
import type { Driven } from './orchestration.ts';

export function brokenPromises(d: Driven, before: TaskLedger, truth: readonly TrackedRecording[]): string[] {
  const out: string[] = [];
  const s = d.settlement;
  const active = truth.filter((r) => isActive(r.status));
  const deferredLeft = before.deferred.filter((l) => !s.startedLegs.includes(l.callSid));

  // Safety: `paused` only when every active recording really is paused; `recording` (which closes
  // the pause and its auto-resume) only when nothing is or may be paused.
  if (s.status === 'paused' && active.some((r) => r.status !== 'paused'))
    out.push(`reported paused while ${active.filter((r) => r.status !== 'paused').map((r) => r.sid)} capture`);
  if (s.status === 'recording' && (active.some((r) => r.status !== 'in-progress') || deferredLeft.length > 0))
    out.push('reported recording while something is paused or deferred');
  if (s.pause.kind === 'close' && s.status !== 'recording' && s.status !== 'not-recording') out.push(`closed the pause while ${s.status}`);
  if ((s.alarm !== null) !== (s.status === 'partially-paused')) out.push('alarm not raised exactly when partially paused');

  // Every acted-on recording has exactly one completion.
  const acted = [...d.plan.updates, ...(d.phase2?.updates ?? [])].map((u) => u.sid);
  if (new Set(acted).size !== acted.length) out.push(`a recording asked twice: ${acted}`);
  const phase1 = new Set(d.plan.updates.map((u) => u.sid));
  if ((d.phase2?.updates ?? []).some((u) => phase1.has(u.sid))) out.push('phase 2 repeats phase 1');
  const lists = { changed: s.changed, failed: s.failed, unknown: s.unknown, ended: s.ended };
  const startedSids = s.changed.filter((sid) => !acted.includes(sid));
  for (const sid of acted) {
    const n = Object.values(lists).filter((l) => l.includes(sid)).length;
    if (n !== 1) out.push(`${sid} completed ${n} times`);
  }
  for (const st of d.plan.starts) {
    const leg = `leg:${st.callSid}`;
    const n = (s.startedLegs.includes(st.callSid) ? 1 : 0) + [s.failed, s.unknown].filter((l) => l.includes(leg)).length;
    if (n !== 1) out.push(`deferred leg ${st.callSid} completed ${n} times`);
  }
  if (startedSids.length !== s.startedLegs.length) out.push('started recordings and started legs disagree');
  const didAct = acted.length > 0 || d.plan.starts.length > 0;
  if ((s.complete !== null) !== didAct) out.push('audit completion without a pending audit, or a pending audit left open');
  if (d.pending !== (didAct ? 1 : 0)) out.push(`${d.pending} pending audit events for one action`);
  if (s.append !== null && didAct) out.push('appended a whole audit event besides the pending one');

  // Outcome and error agree.
  const o = s.complete?.outcome;
  if (o === 'ok' && (s.error !== null || s.failures.length > 0)) out.push('ok with an error or failures');
  if (o === 'failed' && s.error === null) out.push('failed without an error');
  if (o === 'partial' && (s.changed.length === 0 || s.failed.length === 0)) out.push('partial without both a change and a failure');
  if (s.failures.length !== s.failed.length + s.unknown.length) out.push('failures and failed/unknown lists disagree');

  // Spans follow the direction of the action.
  const pausing = d.plan.action === 'pause';
  if (!pausing && s.spans.open.length > 0) out.push('a resume opened a span');
  if (pausing && s.spans.close.some((c) => c.resumedBy !== 'recording-ended')) out.push('a pause closed a span');
  if (s.pause.kind === 'open' && (!pausing || before.pause !== null)) out.push('opened a pause that was not due');
  if (d.requests.length > 3) out.push(`sequential depth ${d.requests.length}`);

  // When everything answered and the listing came, the status is exactly the provider's.
  const clean = d.requests.flat().length > 0 && !(d.plan.list && d.requests[0]?.includes('list') !== true);
  if (clean && s.failures.length === 0 && s.complete?.details['listingFailure'] === undefined && s.append === null) {
    const expected = aggregateRecordingStatus([...truth.map((r) => r.status), ...deferredLeft.map(() => 'paused' as const)]);
    if (s.status !== expected) out.push(`status ${s.status}, provider says ${expected}`);
  }
  return out;
}
