import { describe, expect, it } from 'vitest';
import { targetExpression } from './call-authority.ts';
import { exprValue } from './taskrouter-client.ts';

describe('the TaskRouter expression of a call or conference', () => {
  it('names the call as the task, either conference leg, or the conference', () => {
    const ca = 'CA' + 'a'.repeat(32);
    expect(targetExpression({ kind: 'call', callSid: ca })).toBe(
      `call_sid == '${ca}' OR conference.participants.customer == '${ca}' OR conference.participants.worker == '${ca}'`,
    );
    expect(targetExpression({ kind: 'conference', conferenceSid: 'CF' + 'b'.repeat(32) })).toBe(`conference.sid == 'CF${'b'.repeat(32)}'`);
  });

  it('refuses a value that could change the expression (a quote, a space, OR)', () => {
    for (const bad of ["CA1' OR 1==1 OR call_sid == '", 'a b', '"x"']) expect(() => exprValue(bad)).toThrow(/cannot match/);
  });
});
