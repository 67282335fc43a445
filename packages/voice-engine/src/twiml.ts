/**
 * The TwiML subset the engine follows: <Response> with <Say>, <Pause length>, <Hangup>,
 * and <Dial><Conference ...>NAME</Conference></Dial>. Anything else is refused with a
 * message naming it, rather than silently ignored.
 */
export type Verb =
  | { verb: 'Pause'; seconds: number }
  | { verb: 'Say'; text: string; seconds: number }
  | { verb: 'Hangup' }
  | { verb: 'Conference'; name: string; attrs: ConferenceAttrs };

export interface ConferenceAttrs {
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  muted: boolean;
  record: 'record-from-start' | 'do-not-record';
  statusCallback?: string;
  statusCallbackEvent: string[];
  recordingStatusCallback?: string;
  recordingStatusCallbackEvent: string[];
}

export class TwimlError extends Error {}

interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (!(cp >= 0 && cp <= 0x10ffff)) throw new TwimlError(`invalid character reference ${m}`);
      return String.fromCodePoint(cp);
    }
    return ENTITIES[e] ?? m;
  });

/** A small, strict XML reader: enough for TwiML, with errors that say where. */
function parseXml(src: string): Node {
  let i = 0;
  const s = src.replace(/^\uFEFF/, '');
  const skipMisc = () => {
    for (;;) {
      while (i < s.length && /\s/.test(s[i]!)) i++;
      if (s.startsWith('<?', i)) {
        const end = s.indexOf('?>', i);
        if (end < 0) throw new TwimlError('unterminated XML declaration');
        i = end + 2;
      } else if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i);
        if (end < 0) throw new TwimlError('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const parseElement = (): Node => {
    if (s[i] !== '<') throw new TwimlError(`expected an element at offset ${i}`);
    const m = /^<([A-Za-z][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(s.slice(i));
    if (!m) throw new TwimlError(`malformed tag at offset ${i}`);
    const node: Node = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (const a of m[2]!.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
      node.attrs[a[1]!] = decode(a[3] ?? a[4] ?? '');
    }
    i += m[0].length;
    if (m[3] === '/') return node;
    for (;;) {
      if (i >= s.length) throw new TwimlError(`<${node.name}> is not closed`);
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i);
        if (end < 0) throw new TwimlError('unterminated comment');
        i = end + 3;
      } else if (s.startsWith('</', i)) {
        const close = /^<\/([A-Za-z][\w.-]*)\s*>/.exec(s.slice(i));
        if (!close || close[1] !== node.name) throw new TwimlError(`expected </${node.name}> at offset ${i}`);
        i += close[0].length;
        return node;
      } else if (s[i] === '<') {
        node.children.push(parseElement());
      } else {
        const next = s.indexOf('<', i);
        const end = next < 0 ? s.length : next;
        node.text += decode(s.slice(i, end));
        i = end;
      }
    }
  };
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (i < s.length) throw new TwimlError(`unexpected content after </${root.name}>`);
  return root;
}

const boolAttr = (node: Node, name: string, fallback: boolean): boolean => {
  const v = node.attrs[name];
  if (v === undefined) return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new TwimlError(`<${node.name}> attribute ${name} must be true or false, got '${v}'`);
};

const events = (v: string | undefined): string[] => (v ? v.split(/[\s,]+/).filter((x) => x !== '') : []);

export function parseTwiml(xml: string): Verb[] {
  if (typeof xml !== 'string' || xml.trim() === '') throw new TwimlError('TwiML is empty');
  const root = parseXml(xml);
  if (root.name !== 'Response') throw new TwimlError(`root element must be <Response>, got <${root.name}>`);
  const verbs: Verb[] = [];
  for (const node of root.children) {
    switch (node.name) {
      case 'Pause': {
        const raw = node.attrs['length'] ?? '1';
        const seconds = Number(raw);
        if (!/^\d+$/.test(raw.trim()) || seconds > 3600) {
          throw new TwimlError(`<Pause> length must be a whole number of seconds 0..3600, got '${raw}'`);
        }
        verbs.push({ verb: 'Pause', seconds });
        break;
      }
      case 'Say': {
        const text = node.text.trim();
        // Roughly how long speech takes: 12 characters a second, at least one second.
        verbs.push({ verb: 'Say', text, seconds: Math.max(1, Math.ceil(text.length / 12)) });
        break;
      }
      case 'Hangup':
        verbs.push({ verb: 'Hangup' });
        break;
      case 'Dial': {
        const conf = node.children.filter((c) => c.name === 'Conference');
        if (conf.length !== 1 || node.children.length !== 1) {
          throw new TwimlError('<Dial> is supported only with exactly one <Conference> inside');
        }
        const c = conf[0]!;
        const name = c.text.trim();
        if (name === '') throw new TwimlError('<Conference> needs a name');
        const record = c.attrs['record'] ?? 'do-not-record';
        if (record !== 'record-from-start' && record !== 'do-not-record') {
          throw new TwimlError(`<Conference> record must be record-from-start or do-not-record, got '${record}'`);
        }
        verbs.push({
          verb: 'Conference',
          name,
          attrs: {
            startConferenceOnEnter: boolAttr(c, 'startConferenceOnEnter', true),
            endConferenceOnExit: boolAttr(c, 'endConferenceOnExit', false),
            muted: boolAttr(c, 'muted', false),
            record,
            ...(c.attrs['statusCallback'] ? { statusCallback: c.attrs['statusCallback'] } : {}),
            statusCallbackEvent: events(c.attrs['statusCallbackEvent']),
            ...(c.attrs['recordingStatusCallback'] ? { recordingStatusCallback: c.attrs['recordingStatusCallback'] } : {}),
            recordingStatusCallbackEvent: events(c.attrs['recordingStatusCallbackEvent']),
          },
        });
        break;
      }
      default:
        throw new TwimlError(`<${node.name}> is not supported by this engine (supported: Say, Pause, Hangup, Dial/Conference)`);
    }
  }
  return verbs;
}
