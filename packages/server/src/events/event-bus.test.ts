import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '@pause-recording/core';
import { EventBus } from './event-bus.ts';

describe('EventBus', () => {
  it('delivers to supervisors and to the agent the task belongs to only', () => {
    const bus = new EventBus();
    const got: Record<string, string[]> = { alice: [], bob: [], sam: [] };
    for (const [identity, supervisor] of [
      ['alice', false],
      ['bob', false],
      ['sam', true],
    ] as const) {
      bus.subscribe({ identity, supervisor, send: (e) => got[identity]?.push(e.type) });
    }
    const event = { type: 'recording.reminder', taskSid: 'WT1' } as unknown as LiveEvent;
    bus.publish(event, { worker: 'alice' });
    bus.publish(event, { worker: null });
    expect(got).toEqual({ alice: ['recording.reminder'], bob: [], sam: ['recording.reminder', 'recording.reminder'] });
  });
  it('stops delivering after unsubscribe', () => {
    const bus = new EventBus();
    const got: string[] = [];
    const off = bus.subscribe({ identity: 'sam', supervisor: true, send: (e) => got.push(e.type) });
    off();
    bus.publish({ type: 'recording.reminder' } as unknown as LiveEvent, { worker: null });
    expect(got).toEqual([]);
    expect(bus.size).toBe(0);
  });
});
