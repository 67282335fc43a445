import { describe, expect, it } from 'vitest';
import { conferenceTwiml, hangupTwiml } from './twiml.ts';

describe('twiml', () => {
  it('puts the caller in a waiting conference, recorded when asked', () => {
    const x = conferenceTwiml({ name: 'WT1', statusCallback: 'http://h/cb?a=1&b=2', record: true, recordingStatusCallback: 'http://h/rec' });
    expect(x).toContain('<Conference startConferenceOnEnter="false" endConferenceOnExit="true" statusCallback="http://h/cb?a=1&amp;b=2"');
    expect(x).toContain('record="record-from-start" recordingStatusCallback="http://h/rec">WT1</Conference>');
    expect(conferenceTwiml({ name: 'WT1', statusCallback: 's', record: false, recordingStatusCallback: 'r' })).not.toContain('record=');
  });
  it('escapes spoken text', () => {
    expect(hangupTwiml('a <b> & c')).toContain('<Say>a &lt;b&gt; &amp; c</Say><Hangup/>');
  });
});
