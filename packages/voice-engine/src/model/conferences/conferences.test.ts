import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidParameterError, NotFoundError } from '../errors.ts';
import { unitEngine, type UnitEngine } from '../../../test/support/model.ts';

describe('ConferenceRoom', () => {
  let u: UnitEngine;
  beforeEach(() => {
    u = unitEngine();
  });
  afterEach(async () => {
    await u.close();
  });

  function join(ref: string, label: string, extra: { endConferenceOnExit?: boolean; conferenceRecord?: boolean } = {}) {
    return u.engine.addParticipant(ref, { from: '+15550000001', to: `+1555000${label.length}00${label.charCodeAt(0)}`, label, ...extra });
  }

  it('a name creates the live conference; the conference starts when a participant answers', () => {
    const { conference, participant } = join('support-1', 'customer');
    expect(conference.friendlyName).toBe('support-1');
    expect(conference.status).toBe('init');
    expect(participant.status).toBe('queued');
    u.clock.advance(1);
    expect(participant.status).toBe('connected');
    expect(conference.status).toBe('in-progress');
    expect(u.engine.conferences.live.has(conference)).toBe(true);
    // The same name joins the same live conference.
    expect(join('support-1', 'agent').conference).toBe(conference);
  });

  it('by SID: an unknown conference is NotFoundError, a completed one InvalidParameterError', () => {
    expect(() => join(`CF${'0'.repeat(32)}`, 'x')).toThrow(NotFoundError);
    const { conference } = join('support-2', 'customer');
    u.clock.advance(1);
    u.engine.endConference(conference, 'conference-ended-via-api', null);
    expect(conference.status).toBe('completed');
    expect(() => join(conference.sid, 'late')).toThrow(InvalidParameterError);
  });

  it('participants are found by call SID or label; filters by hold and muted', () => {
    const { conference, participant } = join('support-3', 'customer');
    const agent = join('support-3', 'agent').participant;
    u.clock.advance(1);
    const rooms = u.engine.conferences;
    expect(rooms.participant(conference, participant.call.sid)).toBe(participant);
    expect(rooms.participant(conference, 'agent')).toBe(agent);
    expect(() => rooms.participant(conference, 'supervisor')).toThrow(NotFoundError);
    u.engine.updateParticipant(conference, agent, { hold: true });
    expect(rooms.participants(conference, { hold: true })).toEqual([agent]);
    expect(rooms.participants(conference, { hold: false })).toEqual([participant]);
    expect(rooms.participants(conference)).toEqual([participant, agent]);
  });

  it('endConferenceOnExit: that participant leaving ends the conference and its recording', () => {
    const { conference } = join('support-4', 'customer', { conferenceRecord: true });
    const agent = join('support-4', 'agent', { endConferenceOnExit: true }).participant;
    u.clock.advance(1);
    const rec = u.engine.recordings.current({ conferenceSid: conference.sid });
    u.engine.removeParticipant(agent);
    expect(conference.status).toBe('completed');
    expect(conference.reasonEnded).toBe('participant-with-end-conference-on-exit-kicked');
    expect(rec.status).toBe('processing');
  });

  it('json and requireKnown answer for this run’s conferences; unknown ones are NotFoundError', () => {
    const { conference } = join('support-5', 'customer');
    expect(u.engine.conferences.json(conference.sid)['friendly_name']).toBe('support-5');
    expect(() => u.engine.conferences.json(`CF${'1'.repeat(32)}`)).toThrow(NotFoundError);
    expect(() => u.engine.conferences.requireKnown(`CF${'1'.repeat(32)}`)).toThrow(NotFoundError);
  });
});
