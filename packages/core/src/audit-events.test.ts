import { describe, expect, it } from 'vitest';
import { auditEventsToCsv, csvCell, isAuditAction, type AuditEvent } from './audit-events.ts';

const event: AuditEvent = {
  id: 7,
  at: '2026-01-02T03:04:05.000Z',
  action: 'pause',
  outcome: 'partial',
  actor: 'alice',
  role: 'agent',
  taskSid: 'WT' + '0'.repeat(32),
  callSid: null,
  conferenceSid: null,
  recordingSids: ['RE1', 'RE2'],
  details: { why: 'card, "number"' },
};

describe('audit events', () => {
  it('knows its actions', () => {
    expect(isAuditAction('auto-resume')).toBe(true);
    expect(isAuditAction('delete')).toBe(false);
  });
  it('writes CSV with a header and quotes cells holding commas or quotes', () => {
    const csv = auditEventsToCsv([event]);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('id,at,action,outcome,actor,role,taskSid,callSid,conferenceSid,recordingSids,details');
    expect(row).toBe(`7,2026-01-02T03:04:05.000Z,pause,partial,alice,agent,${event.taskSid},,,RE1 RE2,"{""why"":""card, \\""number\\""""}"`);
  });
  it('never lets a cell start a spreadsheet formula (OWASP CSV injection)', () => {
    for (const [raw, cell] of [
      ['=HYPERLINK("http://x.example","y")', `"'=HYPERLINK(""http://x.example"",""y"")"`],
      ['+1+1', `"'+1+1"`],
      ['-2+3', `"'-2+3"`],
      ['@SUM(A1)', `"'@SUM(A1)"`],
      ['\t=1', `"'\t=1"`],
      ['\r=1', `"'\r=1"`],
      ['a=1', 'a=1'],
    ] as const) {
      expect([raw, csvCell(raw)]).toEqual([raw, cell]);
    }
    const row = auditEventsToCsv([{ ...event, actor: '=cmd|"/c calc"!A1', details: {} }]).split('\r\n')[1];
    expect(row).toContain(`,"'=cmd|""/c calc""!A1",`);
  });
});
