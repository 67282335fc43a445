import type { RecordingListItem } from '@pause-recording/core';
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { RecordingsPage } from './RecordingsPage.tsx';

const rec = (over: Partial<RecordingListItem>): RecordingListItem => ({
  sid: 'RE' + '0'.repeat(32),
  status: 'completed',
  source: 'StartConferenceRecordingAPI',
  channels: 1,
  callSid: null,
  conferenceSid: 'CF' + '0'.repeat(32),
  taskSid: 'WT' + '0'.repeat(32),
  agent: 'alice',
  startTime: '2026-11-26T15:00:00Z',
  duration: '65',
  mediaUrl: '/api/recordings/RE/media',
  ...over,
});

describe('RecordingsPage', () => {
  it("shows each recording's agent as the server names it, newest first", async () => {
    const recordings = [
      rec({ sid: 'RE1', agent: 'alice', startTime: '2026-11-26T15:00:00Z' }),
      rec({ sid: 'RE2', agent: 'bob', startTime: '2026-11-26T16:00:00Z' }),
      rec({ sid: 'RE3', agent: null, taskSid: null, startTime: '2026-11-26T14:00:00Z' }),
    ];
    renderWithI18n(<RecordingsPage api={{ recordings: async () => ({ recordings }) }} onOpen={() => undefined} />);
    await act(async () => undefined);
    const header = screen.getAllByRole('columnheader').map((h) => h.textContent);
    const agentColumn = header.indexOf('Agent');
    expect(agentColumn).toBe(1);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[agentColumn]?.textContent)).toEqual(['bob', 'alice', '—']);
    expect(rows.map((r) => within(r).getAllByRole('cell')[3]?.textContent)).toEqual(['1:05', '1:05', '1:05']);
  });
});
