/**
 * The leak property (issue 5), shared by the vitest property test and the soak script
 * (`scripts/soak-leak.ts`): random sequences of pause, resume, toggle, double presses, hold,
 * transfer and hang-up against the real server and the real engine (stamped audio, sped-up
 * clock, in this process so the engine's own state and clock can be read). After each sequence
 * every WAV of the task is decoded and checked frame by frame against
 *  - the windows in which the server had acknowledged a pause (engine ticks read the moment the
 *    answer arrived, up to the moment the next request was sent): no leg frame of those ticks
 *    may be in any recording, and every recording's capture log must say `paused` for them;
 *  - the engine's capture log: each decoded frame sits exactly where the log puts its tick (so
 *    nothing is duplicated, reordered or shifted), `silence` spans are exact zeros of the paused
 *    length, `skip` spans are absent;
 * and the audit has exactly one pause/resume event per state change. After every step the state
 * the server reports must equal the aggregate of the engine's own recordings of the task (the UI
 * truth: `paused` only when every recording is paused in the engine).
 */
import assert from 'node:assert/strict';
import { aggregateRecordingStatus, SAMPLES_PER_FRAME } from '@pause-recording/core';
import fc from 'fast-check';
import { inspectWav, readWav } from '@pause-recording/voice-engine/audio';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.ts';
import { startSystem, waitUntil, type ApiResult, type System } from '../support/system.ts';

export type StepKind = 'pause' | 'resume' | 'toggle' | 'double-pause' | 'double-toggle' | 'hold' | 'transfer' | 'hangup';
export interface Step {
  readonly kind: StepKind;
  /** Who presses: the task's agent or the supervisor. */
  readonly by: 'worker' | 'supervisor';
  /** Real milliseconds to let the call run before the step (the engine clock is sped up). */
  readonly waitMs: number;
}
export interface LeakConfig {
  readonly conference: boolean;
  readonly dual: boolean;
  readonly silence: boolean;
}

export const ALL_CONFIGS: readonly LeakConfig[] = [false, true].flatMap((conference) =>
  [false, true].flatMap((dual) => [false, true].map((silence) => ({ conference, dual, silence }))),
);
export const configName = (c: LeakConfig): string =>
  `${c.conference ? 'conference' : 'no-conference'}+${c.dual ? 'dual' : 'no-dual'}+${c.silence ? 'silence' : 'skip'}`;

export const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.oneof(
    { weight: 5, arbitrary: fc.constant<StepKind>('pause') },
    { weight: 4, arbitrary: fc.constant<StepKind>('resume') },
    { weight: 3, arbitrary: fc.constant<StepKind>('toggle') },
    { weight: 2, arbitrary: fc.constant<StepKind>('double-pause') },
    { weight: 2, arbitrary: fc.constant<StepKind>('double-toggle') },
    { weight: 1, arbitrary: fc.constant<StepKind>('hold') },
    { weight: 2, arbitrary: fc.constant<StepKind>('transfer') },
    { weight: 1, arbitrary: fc.constant<StepKind>('hangup') },
  ),
  by: fc.oneof({ weight: 3, arbitrary: fc.constant('worker' as const) }, { weight: 1, arbitrary: fc.constant('supervisor' as const) }),
  waitMs: fc.integer({ min: 0, max: 40 }),
});
export const sequenceArb = (maxSteps = 10): fc.Arbitrary<Step[]> => fc.array(stepArb, { minLength: 1, maxLength: maxSteps });

/** Figures of what was checked, summed over runs (docs/reliability.md). */
export interface LeakStats {
  sequences: number;
  steps: number;
  requests: number;
  recordings: number;
  framesChecked: number;
  pausedWindows: number;
  pausedTicksChecked: number;
  silenceFramesChecked: number;
  auditEventsChecked: number;
  truthChecks: number;
  eventsChecked: number;
  leaks: number;
  lostEvents: number;
  server5xx: number;
}
export const emptyStats = (): LeakStats => ({
  sequences: 0,
  steps: 0,
  requests: 0,
  recordings: 0,
  framesChecked: 0,
  pausedWindows: 0,
  pausedTicksChecked: 0,
  silenceFramesChecked: 0,
  auditEventsChecked: 0,
  truthChecks: 0,
  eventsChecked: 0,
  leaks: 0,
  lostEvents: 0,
  server5xx: 0,
});

export interface LeakRig {
  readonly sys: System;
  readonly config: LeakConfig;
  readonly tokens: Record<'alice' | 'bob' | 'sam', string>;
  /**
   * Per watched task: the engine's aggregate now, given the deferred legs the event names. Every
   * `recording.state` event is compared with it as it is published.
   */
  readonly watch: Map<string, (eventDeferred: number) => string>;
  /** Live events whose state differed from the engine's at the moment they were published. */
  readonly untrueEvents: string[];
  /** `recording.state` events checked that way. */
  eventsChecked: number;
  close(): Promise<void>;
}

/** Engine speed of the rig: ten simulated seconds per real second. */
export const LEAK_SPEED = 10;

/** `env` picks the ledger (`DATABASE_URL` for PostgreSQL; none: the SQLite default). */
export async function startLeakRig(config: LeakConfig, env: Record<string, string> = {}): Promise<LeakRig> {
  const sys = await startSystem({
    speed: LEAK_SPEED,
    settings: {
      call_recording_enabled: config.conference,
      features: {
        pause_recording: { include_silence: config.silence, reminder_seconds: 0, max_pause_seconds: 0 },
        dual_channel_recording: { enabled: config.dual, channel: 'worker' },
      },
    },
    env: { RATE_LIMIT_PER_MINUTE: '0', ...env },
  });
  const [alice, bob, sam] = await Promise.all([sys.login('alice'), sys.login('bob'), sys.login('sam')]);
  const rig: LeakRig = { sys, config, tokens: { alice, bob, sam }, watch: new Map(), untrueEvents: [], eventsChecked: 0, close: () => sys.close() };
  // The UI shows what the live events say: each must match the engine the moment it is published.
  sys.server.bus.tap((e) => {
    if (e.type !== 'recording.state') return;
    const engineNow = rig.watch.get(e.taskSid);
    if (engineNow === undefined) return;
    rig.eventsChecked++;
    const truth = engineNow(e.state.deferred?.length ?? 0);
    if (e.state.status !== truth) rig.untrueEvents.push(`${e.taskSid}: event says ${e.state.status}, engine ${truth}`);
  });
  return rig;
}

/** Legs whose recording the ledger holds back until the resume (they count as paused). */
const deferredLegs = (db: System['server']['db'], taskSid: string): number =>
  (db.prepare('SELECT COUNT(*) AS n FROM deferred_legs WHERE task_sid = ?').get(taskSid) as { n: number }).n;

type Status = 'not-recording' | 'recording' | 'paused' | 'partially-paused';
const PR_ACTIONS = new Set(['pause', 'resume', 'auto-resume']);

/** Runs one sequence on a fresh call and checks everything; throws (assert) on the first violation. */
export async function runLeakSequence(rig: LeakRig, steps: readonly Step[], stats: LeakStats): Promise<void> {
  const { sys } = rig;
  const eng = sys.engine.engine;
  const api = async (method: string, path: string, o: Parameters<System['api']>[2] = {}): Promise<ApiResult> => {
    stats.requests++;
    const r = await sys.api(method, path, o);
    if (r.status >= 500 && r.status !== 502 && r.status !== 504) stats.server5xx++;
    assert.ok(r.status < 500, `${method} ${path} answered ${r.status}: ${r.text}`);
    return r;
  };

  const eventsAtStart = rig.eventsChecked;
  const taskSid = await sys.call(rig.tokens.alice, 'alice');
  stats.requests++;
  const acc = await api('POST', `/api/tasks/${taskSid}/accept`, { token: rig.tokens.alice });
  assert.equal(acc.status, 200, `accept: ${acc.text}`);
  let worker: 'alice' | 'bob' = 'alice';
  const task = () => sys.server.tasks.get(taskSid)!;
  const legs = new Set<string>([task().attributes.call_sid, task().workerCallSid!]);
  const confSid = () => task().conferenceSid;

  /** The engine's own active recordings of this task's legs and conference. */
  const engineActive = () => {
    // The task's legs so far, and the one it points at now (a transfer publishes before it answers).
    const now = new Set([...legs, task().workerCallSid]);
    return [...eng.activeRecordings].filter(
      (r) => (r.callSid !== null && r.kind === 'call' && now.has(r.callSid)) || (r.kind === 'conference' && r.conferenceSid === confSid()),
    );
  };
  const prRows = async () => (await sys.server.ledger.audit({ taskSid })).filter((e) => PR_ACTIONS.has(e.action));

  /** UI truth: what the server says now equals the engine's aggregate, recording by recording. */
  const truth = async (): Promise<Status> => {
    const r = await api('GET', `/api/tasks/${taskSid}/recording`, { token: rig.tokens[worker] });
    assert.equal(r.status, 200, r.text);
    const active = engineActive();
    const deferred = Array.isArray(r.body['deferred']) ? r.body['deferred'].length : 0;
    const engineStatus = aggregateRecordingStatus([...active.map((x) => x.status), ...Array<'paused'>(deferred).fill('paused')]);
    const said = r.body['status'] as Status;
    stats.truthChecks++;
    assert.equal(said, engineStatus, `server says ${said}, the engine's recordings are ${JSON.stringify(active.map((x) => [x.sid, x.status]))}`);
    const listed = (r.body['recordings'] as { sid: string; status: string }[]).map((x) => [x.sid, x.status]).sort();
    assert.deepEqual(listed, active.map((x) => [x.sid, x.status]).sort(), 'server lists exactly the engine active recordings');
    if (said === 'paused') for (const x of active) assert.equal(x.status, 'paused');
    return said;
  };

  // SQLite answers synchronously, as the event is published; a remote ledger cannot, so there the
  // event's own deferred legs stand in (`truth()` checks the server's deferred legs after every step).
  const sqlite = sys.server.ledger instanceof SqliteLedger;
  rig.watch.set(taskSid, (eventDeferred) => {
    const deferred = sqlite ? deferredLegs(sys.server.db, taskSid) : eventDeferred;
    return aggregateRecordingStatus([...engineActive().map((x) => x.status), ...Array<'paused'>(deferred).fill('paused')]);
  });
  let status = await truth();
  assert.equal(status, rig.config.conference || rig.config.dual ? 'recording' : 'not-recording');
  /** Engine ticks in which the server had acknowledged a pause and no resume was sent yet. */
  const windows: [number, number][] = [];
  let pausedSince: number | null = null;
  let transfers = 0;
  let onHold = false;
  let hungUp = false;
  /** Ids of the late press's audited attempt, when it raced the recordings' end (see below). */
  const lateAttempts = new Set<number>();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const closeWindow = (): void => {
    if (pausedSince !== null) windows.push([pausedSince, eng.tick]);
    pausedSince = null;
  };

  for (const step of steps) {
    if (hungUp) break;
    if (step.waitMs > 0) await sleep(step.waitMs);
    stats.steps++;
    const token = step.by === 'supervisor' ? rig.tokens.sam : rig.tokens[worker];
    const before: Status = status;
    const rowsBefore = (await prRows()).length;
    const canChange = before === 'recording' || before === 'paused';
    let allowedRows: number[] = [0];
    let answers: Status[] = [];
    const rec = (action: string) => api('POST', `/api/tasks/${taskSid}/recording/${action}`, { token, json: { reason: `leak ${step.kind}` } });
    const answered = (r: ApiResult): Status => {
      if (before === 'not-recording') {
        assert.equal(r.status, 409, r.text);
        return 'not-recording';
      }
      assert.equal(r.status, 200, r.text);
      return r.body['status'] as Status;
    };
    // Only a pause/resume press may end a paused span; hold, transfer and hang-up keep it open.
    const presses = step.kind !== 'hold' && step.kind !== 'transfer' && step.kind !== 'hangup';
    if (presses) closeWindow();
    switch (step.kind) {
      case 'pause':
      case 'resume':
      case 'toggle': {
        answers = [answered(await rec(step.kind))];
        const to = answers[0];
        allowedRows = [canChange && to !== before ? 1 : 0];
        const want: Status = step.kind === 'pause' ? 'paused' : step.kind === 'resume' ? 'recording' : before === 'paused' ? 'recording' : 'paused';
        if (canChange) assert.equal(to, want, `${step.kind} from ${before}`);
        break;
      }
      case 'double-pause':
      case 'double-toggle': {
        const action = step.kind === 'double-pause' ? 'pause' : 'toggle';
        const rs = await Promise.all([rec(action), rec(action)]);
        answers = rs.map(answered);
        // Either press may have run first (the server serialises them): count the changes of both orders.
        allowedRows = [answers, [...answers].reverse()].map((order) => {
          let prev = before;
          let n = 0;
          for (const s of order) {
            if (canChange && s !== prev) n++;
            prev = s;
          }
          return n;
        });
        break;
      }
      case 'hold': {
        onHold = !onHold;
        const r = await api('POST', `/api/tasks/${taskSid}/hold`, { token, json: { hold: onHold } });
        assert.equal(r.status, 200, r.text);
        assert.equal((r.body['task'] as { attributes: { customer_on_hold?: boolean } }).attributes.customer_on_hold ?? false, onHold);
        break;
      }
      case 'transfer': {
        if (transfers >= 2) break; // at most four legs, so every stamped slot stays decodable
        const to: 'alice' | 'bob' = worker === 'alice' ? 'bob' : 'alice';
        const r = await api('POST', `/api/tasks/${taskSid}/transfer`, { token, json: { to } });
        assert.equal(r.status, 200, r.text);
        transfers++;
        worker = to;
        legs.add(task().workerCallSid!);
        onHold = (r.body['task'] as { attributes: { customer_on_hold?: boolean } }).attributes.customer_on_hold ?? false;
        break;
      }
      case 'hangup': {
        const r = await api('POST', `/api/tasks/${taskSid}/hangup`, { token });
        assert.equal(r.status, 200, r.text);
        hungUp = true;
        break;
      }
    }
    const ackTick = eng.tick;
    if (hungUp) {
      if (pausedSince !== null) windows.push([pausedSince, Number.MAX_SAFE_INTEGER]);
      pausedSince = null;
      // A press after the hang-up changes nothing and claims nothing.
      const late = await api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: rig.tokens[worker] });
      assert.equal(late.status, 409, late.text);
      status = 'not-recording';
    } else {
      status = await truth();
      if (answers.length > 0 && before !== 'not-recording') assert.ok(answers.includes(status), `final ${status} is one of the answers ${answers.join(',')}`);
      if (!presses) assert.equal(status, before, `${step.kind} changed the recording state`);
      if (status === 'paused') pausedSince ??= ackTick;
    }
    // The press after the hang-up may arrive before the recordings' end callbacks are stored (a
    // remote ledger takes longer to store them): it then asks the provider, finds every recording
    // ended, changes nothing and records that attempt as failed. That one row is allowed, nothing else.
    const late = hungUp
      ? (await prRows())
          .slice(rowsBefore)
          .filter(
            (e) =>
              e.action === 'pause' &&
              e.outcome === 'failed' &&
              e.details['resultStatus'] === 'not-recording' &&
              Array.isArray(e.details['changed']) &&
              e.details['changed'].length === 0,
          )
      : [];
    assert.ok(late.length <= 1, `the late press left ${late.length} attempts`);
    for (const e of late) lateAttempts.add(e.id);
    const added = (await prRows()).slice(rowsBefore).filter((e) => !lateAttempts.has(e.id));
    stats.auditEventsChecked += added.length;
    if (!allowedRows.includes(added.length)) stats.lostEvents++;
    assert.ok(
      allowedRows.includes(added.length),
      `${step.kind} from ${before} -> ${answers.join(',')}: ${added.length} audit events, expected ${allowedRows.join(' or ')}`,
    );
    for (const e of added) assert.equal(e.outcome, 'ok', JSON.stringify(e));
  }

  if (!hungUp) {
    const r = await api('POST', `/api/tasks/${taskSid}/hangup`, { token: rig.tokens[worker] });
    assert.equal(r.status, 200, r.text);
  }
  // A pause that ran into the hang-up: nothing after its acknowledgement may be in any recording.
  if (pausedSince !== null) windows.push([pausedSince, Number.MAX_SAFE_INTEGER]);

  // The audit: strictly alternating pause / resume, one per change, all ok.
  const rows = (await prRows()).filter((e) => !lateAttempts.has(e.id));
  rows.forEach((e, i) => assert.equal(e.action === 'pause', i % 2 === 0, `audit event ${i} is ${e.action}: ${rows.map((x) => x.action).join(',')}`));

  rig.watch.delete(taskSid);
  assert.deepEqual(rig.untrueEvents, [], 'live events that did not match the engine');
  const done = await api('POST', `/api/tasks/${taskSid}/complete`, { token: rig.tokens[worker] });
  assert.equal(done.status, 200, done.text);

  // Every recording of the task, finished, decoded and checked against the capture log and the windows.
  const recs = [...eng.recordings.values()].filter(
    (r) => (r.kind === 'call' && r.callSid !== null && legs.has(r.callSid)) || (r.kind === 'conference' && r.conferenceSid === confSid()),
  );
  await waitUntil('recordings final', () => recs.every((r) => r.status === 'completed' || r.status === 'absent'));
  const legBySlot = new Map<number, { sid: string; answeredTick: number }>();
  for (const sid of legs) {
    const c = eng.calls.get(sid);
    assert.ok(c && c.slot !== null && c.answeredTick !== null, `leg ${sid} answered with a slot`);
    assert.ok(!legBySlot.has(c.slot), `slot ${c.slot} used by two legs`);
    legBySlot.set(c.slot, { sid, answeredTick: c.answeredTick });
  }
  for (const [a, b] of windows) {
    stats.pausedWindows++;
    stats.pausedTicksChecked += Math.max(0, Math.min(b, eng.tick) - a);
  }
  const inWindow = (t: number) => windows.some(([a, b]) => t >= a && t < b);

  for (const r of recs) {
    stats.recordings++;
    const events = [...r.events].sort((x, y) => x.tick - y.tick);
    const stop = events.find((e) => e.status === 'stopped');
    assert.ok(stop, `${r.sid} has a stop in its capture log`);
    // tick -> file frame (or 'zero' for silence, null for skipped) from the engine's log.
    const tickToFile = new Map<number, number>();
    const zeroFrames: number[] = [];
    let file = 0;
    let ev = 0;
    let cur = events[0]!;
    for (let t = r.startTick; t < stop.tick; t++) {
      while (ev + 1 < events.length && events[ev + 1]!.tick <= t) cur = events[++ev]!;
      if (cur.status === 'in-progress') tickToFile.set(t, file++);
      else if (cur.status === 'paused') {
        // Acknowledged pause windows must be paused in the log too, whatever the WAV holds.
        if (cur.pauseBehavior === 'silence') zeroFrames.push(file++);
      } else if (cur.status !== 'stopped') assert.fail(`${r.sid}: unexpected status ${cur.status} at tick ${t}`);
      if (inWindow(t) && cur.status === 'in-progress') {
        stats.leaks++;
        assert.fail(`${r.sid} captured tick ${t} after the server acknowledged a pause (windows ${JSON.stringify(windows)})`);
      }
    }
    assert.equal(r.fileFrames, file, `${r.sid}: engine file frames vs its log`);
    if (file === 0) continue;
    const wav = readWav(r.wavPath);
    assert.equal(wav.frames, file, `${r.sid}: WAV frames vs capture log`);
    assert.equal(wav.channels, r.channels);
    for (const f of zeroFrames) {
      for (const ch of wav.channelData) {
        for (let i = f * SAMPLES_PER_FRAME; i < (f + 1) * SAMPLES_PER_FRAME; i++) {
          if (ch[i] !== 0) assert.fail(`${r.sid}: silence frame ${f} holds sample ${ch[i]}`);
        }
      }
      stats.silenceFramesChecked++;
    }
    const insp = inspectWav(wav);
    for (const ch of insp.channels) {
      for (const slot of ch.slots) {
        assert.equal(slot.garbled + slot.duplicates + slot.outOfOrder, 0, `${r.sid} ch${ch.channel} slot ${slot.slot}: ${JSON.stringify(slot)}`);
        if (slot.runs.length === 0) continue;
        const leg = legBySlot.get(slot.slot);
        assert.ok(leg, `${r.sid}: slot ${slot.slot} holds audio of no leg of this task`);
        for (const run of slot.runs) {
          for (let i = 0; i < run.count; i++) {
            const tick: number = run.from + i + leg.answeredTick;
            stats.framesChecked++;
            if (inWindow(tick)) {
              stats.leaks++;
              assert.fail(`${r.sid}: leg ${leg.sid} frame ${run.from + i} (tick ${tick}) is in the file although the server had acknowledged a pause`);
            }
            const want = tickToFile.get(tick);
            assert.equal(
              run.fileFrame + i,
              want,
              `${r.sid}: leg ${leg.sid} frame of tick ${tick} at file frame ${run.fileFrame + i}, the log puts it at ${want}`,
            );
          }
        }
      }
    }
  }
  stats.eventsChecked += rig.eventsChecked - eventsAtStart;
  stats.sequences++;
}
