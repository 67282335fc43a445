import { describe, expect, it } from 'vitest';
import { parseTwiml, TwimlError, type Verb } from './twiml.ts';

const conf = (inner: string, attrs = '') => `<Response><Dial><Conference${attrs}>${inner}</Conference></Dial></Response>`;

function conferenceVerb(xml: string): Extract<Verb, { verb: 'Conference' }> {
  const verbs = parseTwiml(xml);
  expect(verbs).toHaveLength(1);
  const v = verbs[0]!;
  if (v.verb !== 'Conference') throw new Error(`expected Conference, got ${v.verb}`);
  return v;
}

function fails(xml: unknown, message: string | RegExp): void {
  expect(() => parseTwiml(xml as string)).toThrow(TwimlError);
  expect(() => parseTwiml(xml as string)).toThrow(message);
}

describe('parseTwiml: supported verbs', () => {
  it('reads a sequence of verbs in order', () => {
    expect(parseTwiml('<Response><Say>Hello</Say><Pause length="2"/><Hangup/></Response>')).toEqual([
      { verb: 'Say', text: 'Hello', seconds: 1 },
      { verb: 'Pause', seconds: 2 },
      { verb: 'Hangup' },
    ]);
  });

  it('an empty <Response> (self-closing or not) has no verbs', () => {
    expect(parseTwiml('<Response/>')).toEqual([]);
    expect(parseTwiml('<Response></Response>')).toEqual([]);
    expect(parseTwiml('<Response>\n  \n</Response>')).toEqual([]);
  });

  it('<Pause>: length defaults to 1 s; whole seconds 0..3600', () => {
    expect(parseTwiml('<Response><Pause/></Response>')).toEqual([{ verb: 'Pause', seconds: 1 }]);
    expect(parseTwiml('<Response><Pause></Pause></Response>')).toEqual([{ verb: 'Pause', seconds: 1 }]);
    expect(parseTwiml('<Response><Pause length="0"/></Response>')).toEqual([{ verb: 'Pause', seconds: 0 }]);
    expect(parseTwiml("<Response><Pause length='3600'/></Response>")).toEqual([{ verb: 'Pause', seconds: 3600 }]);
    expect(parseTwiml('<Response><Pause length = "5" /></Response>')).toEqual([{ verb: 'Pause', seconds: 5 }]);
  });

  it('<Say>: trimmed text; about 12 characters a second, at least one second', () => {
    expect(parseTwiml('<Response><Say>  hi  </Say></Response>')).toEqual([{ verb: 'Say', text: 'hi', seconds: 1 }]);
    expect(parseTwiml('<Response><Say></Say></Response>')).toEqual([{ verb: 'Say', text: '', seconds: 1 }]);
    const text = 'x'.repeat(25);
    expect(parseTwiml(`<Response><Say voice="alice" language="en-US">${text}</Say></Response>`)).toEqual([{ verb: 'Say', text, seconds: 3 }]);
    expect(parseTwiml(`<Response><Say>${'y'.repeat(24)}</Say></Response>`)).toEqual([{ verb: 'Say', text: 'y'.repeat(24), seconds: 2 }]);
  });

  it('<Hangup> in both spellings', () => {
    expect(parseTwiml('<Response><Hangup/></Response>')).toEqual([{ verb: 'Hangup' }]);
    expect(parseTwiml('<Response><Hangup></Hangup></Response>')).toEqual([{ verb: 'Hangup' }]);
  });

  it('<Dial><Conference>: defaults', () => {
    expect(conferenceVerb(conf('room'))).toEqual({
      verb: 'Conference',
      name: 'room',
      attrs: {
        startConferenceOnEnter: true,
        endConferenceOnExit: false,
        muted: false,
        record: 'do-not-record',
        statusCallbackEvent: [],
        recordingStatusCallbackEvent: [],
      },
    });
  });

  it('<Dial><Conference>: every supported attribute', () => {
    const v = conferenceVerb(
      conf(
        '  support-42  ',
        ' startConferenceOnEnter="false" endConferenceOnExit="true" muted="true" record="record-from-start"' +
          ' statusCallback="https://example.com/conf" statusCallbackEvent="start end join leave mute hold"' +
          ' recordingStatusCallback="https://example.com/rec" recordingStatusCallbackEvent="in-progress,completed absent"',
      ),
    );
    expect(v).toEqual({
      verb: 'Conference',
      name: 'support-42',
      attrs: {
        startConferenceOnEnter: false,
        endConferenceOnExit: true,
        muted: true,
        record: 'record-from-start',
        statusCallback: 'https://example.com/conf',
        statusCallbackEvent: ['start', 'end', 'join', 'leave', 'mute', 'hold'],
        recordingStatusCallback: 'https://example.com/rec',
        recordingStatusCallbackEvent: ['in-progress', 'completed', 'absent'],
      },
    });
    expect(conferenceVerb(conf('r', ' record="do-not-record" muted="false"')).attrs).toMatchObject({ record: 'do-not-record', muted: false });
  });

  it('attributes Twilio knows but the engine does not emulate are accepted and ignored', () => {
    const v = conferenceVerb(
      '<Response><Dial timeout="20" callerId="+15550001111"><Conference beep="false" waitUrl="" maxParticipants="10">r</Conference></Dial></Response>',
    );
    expect(v.name).toBe('r');
  });

  it('follows verbs after a <Dial> and before it', () => {
    const verbs = parseTwiml(`<Response><Say>one moment</Say>${conf('r').slice('<Response>'.length, -'</Response>'.length)}<Hangup/></Response>`);
    expect(verbs.map((v) => v.verb)).toEqual(['Say', 'Conference', 'Hangup']);
  });
});

describe('parseTwiml: XML details', () => {
  it('accepts an XML declaration, a BOM, comments and surrounding whitespace', () => {
    const xml = '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<Response>\n  <!-- inside -->\n  <Hangup/>\n</Response>\n<!-- after -->\n';
    expect(parseTwiml(xml)).toEqual([{ verb: 'Hangup' }]);
  });

  it('decodes named and numeric entities in text and attributes', () => {
    expect(parseTwiml('<Response><Say>Tom &amp; Jerry &lt;3 &gt; &quot;q&quot; &apos;a&apos; &#65;&#x42;&#X43;</Say></Response>')).toEqual([
      { verb: 'Say', text: `Tom & Jerry <3 > "q" 'a' ABC`, seconds: 3 },
    ]);
    const v = conferenceVerb(conf('R&amp;D &#x263A;', ' statusCallback="https://example.com/cb?a=1&amp;b=2"'));
    expect(v.name).toBe('R&D \u263A');
    expect(v.attrs.statusCallback).toBe('https://example.com/cb?a=1&b=2');
  });

  it('leaves an unknown named entity as written', () => {
    expect(parseTwiml('<Response><Say>&nbsp;x</Say></Response>')).toEqual([{ verb: 'Say', text: '&nbsp;x', seconds: 1 }]);
  });

  it('refuses a character reference outside Unicode with a TwimlError', () => {
    fails('<Response><Say>&#x110000;</Say></Response>', /character reference/);
    fails('<Response><Say>&#99999999999;</Say></Response>', /character reference/);
  });
});

describe('parseTwiml: clear errors', () => {
  it('empty or non-string input', () => {
    fails('', 'TwiML is empty');
    fails('   \n', 'TwiML is empty');
    fails(undefined, 'TwiML is empty');
    fails(42, 'TwiML is empty');
  });

  it('a root other than <Response>', () => {
    fails('<Say>hi</Say>', 'root element must be <Response>, got <Say>');
    fails('<response><Hangup/></response>', 'got <response>');
  });

  it('unsupported verbs, naming the verb and what is supported', () => {
    for (const verb of ['Gather', 'Play', 'Record', 'Redirect', 'Reject', 'Enqueue', 'Sms']) {
      fails(`<Response><${verb}/></Response>`, `<${verb}> is not supported by this engine (supported: Say, Pause, Hangup, Dial/Conference)`);
    }
  });

  it('<Dial> without exactly one <Conference>', () => {
    fails('<Response><Dial>+15550001111</Dial></Response>', '<Dial> is supported only with exactly one <Conference> inside');
    fails('<Response><Dial><Number>+15550001111</Number></Dial></Response>', 'exactly one <Conference>');
    fails('<Response><Dial><Conference>a</Conference><Conference>b</Conference></Dial></Response>', 'exactly one <Conference>');
    fails('<Response><Dial><Conference>a</Conference><Number>+1555</Number></Dial></Response>', 'exactly one <Conference>');
  });

  it('a <Conference> without a name', () => {
    fails(conf(''), '<Conference> needs a name');
    fails(conf('   '), '<Conference> needs a name');
    fails('<Response><Dial><Conference/></Dial></Response>', '<Conference> needs a name');
  });

  it('bad attribute values, naming the attribute and the value', () => {
    for (const length of ['-1', '1.5', 'abc', '3601', '']) {
      fails(`<Response><Pause length="${length}"/></Response>`, `<Pause> length must be a whole number of seconds 0..3600, got '${length}'`);
    }
    fails(conf('r', ' record="true"'), `<Conference> record must be record-from-start or do-not-record, got 'true'`);
    fails(conf('r', ' muted="yes"'), `<Conference> attribute muted must be true or false, got 'yes'`);
    fails(conf('r', ' startConferenceOnEnter="1"'), 'attribute startConferenceOnEnter must be true or false');
    fails(conf('r', ' endConferenceOnExit="TRUE"'), 'attribute endConferenceOnExit must be true or false');
  });

  it('unclosed and mismatched tags', () => {
    fails('<Response>', '<Response> is not closed');
    fails('<Response><Pause>', '<Pause> is not closed');
    fails('<Response><Say>hi</Response>', 'expected </Say>');
    fails('<Response><Hangup/></Respons>', 'expected </Response>');
  });

  it('malformed markup', () => {
    fails('<Response><Pause length=3/></Response>', 'malformed tag');
    fails('<Response <Hangup/></Response>', 'malformed tag');
    fails('hello', 'expected an element at offset 0');
    fails('<Response><Hangup/></Response><Response/>', 'unexpected content after </Response>');
    fails('<Response><Hangup/></Response>trailing', 'unexpected content after </Response>');
    fails('<?xml version="1.0"', 'unterminated XML declaration');
    fails('<!-- never closed <Response/>', 'unterminated comment');
    fails('<Response><!-- never closed </Response>', 'unterminated comment');
  });
});
