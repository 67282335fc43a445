import { describe, expect, it } from 'vitest';
import { taskNames } from './worker-task.ts';

const CA = 'CA' + 'a'.repeat(32);
const WORKER_LEG = 'CA' + 'b'.repeat(32);
const CF = 'CF' + 'c'.repeat(32);

describe('taskNames', () => {
  const flexTask = { call_sid: CA, conference: { sid: CF, participants: { customer: CA, worker: WORKER_LEG } } };

  it("finds the customer's call, the worker's leg and the conference where Flex keeps them", () => {
    expect(taskNames(flexTask, { kind: 'call', callSid: CA })).toBe(true);
    expect(taskNames(flexTask, { kind: 'call', callSid: WORKER_LEG })).toBe(true);
    expect(taskNames(flexTask, { kind: 'conference', conferenceSid: CF })).toBe(true);
  });

  it('names nothing else: another call or conference, a conference SID asked as a call, unparsable attributes', () => {
    expect(taskNames(flexTask, { kind: 'call', callSid: 'CA' + 'd'.repeat(32) })).toBe(false);
    expect(taskNames(flexTask, { kind: 'conference', conferenceSid: 'CF' + 'd'.repeat(32) })).toBe(false);
    expect(taskNames({ call_sid: CA }, { kind: 'conference', conferenceSid: CF })).toBe(false);
    expect(taskNames(null, { kind: 'call', callSid: CA })).toBe(false);
    expect(taskNames({ conference: 'x' }, { kind: 'call', callSid: CA })).toBe(false);
  });
});
