import { TWILIO_ERROR } from '@pause-recording/core';
import { repairWav } from '../../audio/wav-writer.ts';
import type { Json } from '../../serialize.ts';
import { publicJson, readRecording, writeRecording } from './persistence.ts';
import type { EngineStore } from '../../support/store.ts';
import { rfc2822 } from '../../support/time.ts';
import type { PhoneNumber } from '../numbers/phone-number.ts';
import { Recording } from '../recordings/recording.ts';
import type { TaskRouterState } from '../taskrouter/taskrouter.ts';
import type { Activity, Reservation, Task, TaskQueue, Worker, Workflow, Workspace } from '../taskrouter/types.ts';

export interface RestoredState {
  numbers: PhoneNumber[];
  recordings: Recording[];
  archivedCalls: Map<string, Json>;
  archivedConferences: Map<string, Json>;
  /** Recordings that were open when the previous run died, now finished. */
  recovered: string[];
  /** TaskRouter as last saved: tasks and reservations keep their state across a restart. */
  taskrouter: TaskRouterState;
}

function taskRouterState(store: EngineStore): TaskRouterState {
  return {
    workspaces: store.all('tr-workspace').map((r) => r.data as Workspace),
    activities: store.all('tr-activity').map((r) => r.data as Activity),
    workers: store.all('tr-worker').map((r) => r.data as Worker),
    queues: store.all('tr-queue').map((r) => r.data as TaskQueue),
    workflows: store.all('tr-workflow').map((r) => r.data as Workflow),
    tasks: store.all('tr-task').map((r) => r.data as Task),
    reservations: store.all('tr-reservation').map((r) => r.data as Reservation),
  };
}

/**
 * What an earlier run left in the store, with anything a crash cut short finished:
 * open recordings keep every flushed frame (completed with 12400, or absent), live calls
 * end (completed, or failed if never answered), live conferences complete.
 */
export function restoreState(store: EngineStore, now: number): RestoredState {
  const state: RestoredState = {
    numbers: [],
    recordings: [],
    archivedCalls: new Map(),
    archivedConferences: new Map(),
    recovered: [],
    taskrouter: taskRouterState(store),
  };
  for (const row of store.all('number')) state.numbers.push(row.data as PhoneNumber);
  for (const row of store.all('recording')) {
    const rec = readRecording(store, row);
    if (rec.active || rec.status === 'stopped' || rec.status === 'processing') {
      const fixed = repairWav(rec.wavPath, rec.channels);
      rec.fileFrames = fixed.frames;
      // Through core's transition table, as any other run would have gone: (active ->)
      // stopped -> processing -> completed | absent.
      if (rec.active) rec.moveTo('stopped');
      if (rec.status === 'stopped') rec.moveTo('processing');
      rec.moveTo(fixed.frames > 0 ? 'completed' : 'absent');
      rec.pauseBehavior = null;
      rec.errorCode = TWILIO_ERROR.INTERNAL_FAILURE;
      rec.logChange(-1, now);
      writeRecording(store, rec, 0);
      state.recovered.push(rec.sid);
    }
    state.recordings.push(rec);
  }
  for (const row of store.all('call')) {
    const j = row.data as Json;
    if (j['status'] === 'queued' || j['status'] === 'ringing' || j['status'] === 'in-progress') {
      const answered = j['status'] === 'in-progress';
      j['status'] = answered ? 'completed' : 'failed';
      j['end_time'] = rfc2822(now);
      j['date_updated'] = rfc2822(now);
      // The call lasted until the crash: from its answer to now, as far as we can know.
      const started = typeof j['start_time'] === 'string' ? Date.parse(j['start_time']) : NaN;
      j['duration'] = answered && Number.isFinite(started) ? String(Math.max(0, Math.round((now - started) / 1000))) : '0';
      store.save('call', row.sid, row.createdMs, j);
    }
    state.archivedCalls.set(row.sid, publicJson(j));
  }
  for (const row of store.all('conference')) {
    const j = row.data as Json;
    if (j['status'] !== 'completed') {
      j['status'] = 'completed';
      j['reason_conference_ended'] = 'last-participant-left';
      j['date_updated'] = rfc2822(now);
      store.save('conference', row.sid, row.createdMs, j);
    }
    state.archivedConferences.set(row.sid, j);
  }
  return state;
}
