/** TwiML the server answers to the voice webhook. */
function xmlAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function xmlText(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Puts the caller into a conference named after the task, waiting (startConferenceOnEnter
 * false) until the agent joins; the conference ends when the caller leaves. With
 * `record` the conference is recorded from the moment it starts.
 */
export function conferenceTwiml(opts: { name: string; statusCallback: string; record: boolean; recordingStatusCallback: string }): string {
  const attrs = [
    'startConferenceOnEnter="false"',
    'endConferenceOnExit="true"',
    `statusCallback="${xmlAttr(opts.statusCallback)}"`,
    'statusCallbackEvent="start end join leave"',
    ...(opts.record ? ['record="record-from-start"', `recordingStatusCallback="${xmlAttr(opts.recordingStatusCallback)}"`] : []),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference ${attrs.join(' ')}>${xmlText(opts.name)}</Conference></Dial></Response>`;
}

export function hangupTwiml(message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${xmlText(message)}</Say><Hangup/></Response>`;
}
