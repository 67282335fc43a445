import type { Logger } from 'pino';
import type { UserDirectory } from '../auth/user-directory.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { Simulator } from './simulator.ts';

/**
 * The demo's steady trickle of customers (`npm start` without SIMULATOR=off): every
 * `intervalMs`, if an agent is free and nobody is waiting, a customer calls for 1.5-4 minutes.
 */
export function startDemoCalls(o: { simulator: Simulator; tasks: TaskStore; users: UserDirectory; intervalMs: number; logger: Logger }): () => void {
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const busy = new Set(o.tasks.list({ statuses: ['reserved', 'assigned', 'wrapping'] }).map((t) => t.worker));
      const waiting = o.tasks.list({ statuses: ['pending'] }).length;
      const free = o.users.agents().filter((a) => !busy.has(a));
      if (free.length > 0 && waiting === 0) {
        const r = await o.simulator.placeCall({ durationSeconds: 90 + Math.floor(Math.random() * 150) });
        o.logger.info({ callSid: r.callSid, taskSid: r.taskSid }, 'demo customer calls in');
      }
    } catch (e) {
      o.logger.warn({ err: e }, 'demo call failed');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), 2000);
  const every = setInterval(() => void tick(), o.intervalMs);
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
