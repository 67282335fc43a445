/**
 * `npm run reliability-report`: renders the figures of the last safety runs into
 * docs/reliability.md, between its `<!-- figures:start -->` and `<!-- figures:end -->` markers.
 * The figures come from `.tmp/reliability/*.json`, written by the tests in
 * packages/server/test/safety/ (`npx vitest run packages/server/test/safety`) and by the soak
 * (`npm run soak:leak -- --cases N`). A missing file is reported as "not run".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, '.tmp', 'reliability');
const docPath = join(root, 'docs', 'reliability.md');

type Figures = Record<string, number | string | boolean>;
function load(name: string): Figures | null {
  const f = join(dir, `${name}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Figures) : null;
}
const n = (v: unknown): string => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v ?? '–'));

const leakRows: [string, string][] = [
  ['sequences', 'random sequences run'],
  ['steps', 'steps (presses, holds, transfers, hang-ups)'],
  ['requests', 'HTTP requests'],
  ['recordings', 'recordings decoded'],
  ['framesChecked', 'stamped frames checked against the capture log'],
  ['pausedWindows', 'acknowledged pause windows'],
  ['pausedTicksChecked', 'engine ticks inside them'],
  ['silenceFramesChecked', '`silence` frames checked to be exact zeros'],
  ['truthChecks', 'server state = engine state checks (after each step)'],
  ['eventsChecked', 'live `recording.state` events = engine state at publication'],
  ['auditEventsChecked', 'pause/resume audit events checked'],
  ['leaks', '**leaks**'],
  ['lostEvents', '**lost or extra audit events**'],
  ['server5xx', '**5xx answers**'],
];

const sections: [string, string, [string, string][]][] = [
  ['leak', 'Leak and UI-truth property (CI)', leakRows],
  ['leak-postgres', 'Leak and UI-truth property on the PostgreSQL ledger (CI sample)', leakRows],
  [
    'leak-soak',
    'Leak soak (script)',
    [
      ['sequences', 'random sequences run'],
      ['steps', 'steps'],
      ['requests', 'HTTP requests'],
      ['recordings', 'recordings decoded'],
      ['framesChecked', 'stamped frames checked'],
      ['pausedTicksChecked', 'paused engine ticks checked'],
      ['silenceFramesChecked', 'silence frames checked'],
      ['truthChecks', 'server state = engine state checks'],
      ['eventsChecked', 'live events = engine state at publication'],
      ['seconds', 'seconds'],
      ['leaks', '**leaks**'],
      ['lostEvents', '**lost or extra audit events**'],
      ['server5xx', '**5xx answers**'],
    ],
  ],
  [
    'faults',
    'Faults',
    [
      ['cases', 'fault cases (kind × once/burst/persistent × scope)'],
      ['faultsInjected', 'faults injected (requests the engine failed)'],
      ['requests', 'HTTP requests'],
      ['ridden', 'single faults ridden out by retries'],
      ['retriedRecordings', 'recordings retried until the budget ran out'],
      ['partial', 'answers `partially-paused` (alarm)'],
      ['failed', 'answers 502/504'],
      ['maxAnswerMs', 'slowest answer (ms, informative)'],
      ['server5xxRaw', '**raw 5xx (not 502/504 with a code)**'],
      ['untruthful', '**answers not matching the engine**'],
      ['lostEvents', '**attempts missing from the audit**'],
    ],
  ],
  [
    'races',
    'Races',
    [
      ['races', 'races run'],
      ['requests', 'racing requests'],
      ['inconsistent', '**inconsistent final states**'],
      ['lostEvents', '**lost audit events**'],
      ['leakedAfterAck', '**frames captured after an acknowledged pause**'],
    ],
  ],
  [
    'crash',
    'Crashes',
    [
      ['serverKills', '`kill -9` of the server while paused'],
      ['engineKills', '`kill -9` of the engine while paused'],
      ['timersRestored', 'timers restored and fired'],
      ['auditEventsKept', 'acknowledged audit events kept'],
      ['auditEventsLost', '**acknowledged events lost**'],
    ],
  ],
  [
    'fuzz',
    'Hostile input',
    [
      ['serverRoutes', 'server routes'],
      ['engineRoutes', 'engine routes'],
      ['requests', 'requests fuzzed'],
      ['status4xx', '4xx answers'],
      ['status2xx', '**2xx answers**'],
      ['status5xx', '**5xx answers**'],
      ['unnamed', '**4xx not naming the problem**'],
      ['stateChanges', '**state changes**'],
      ['spellingsCompared', 'odd path spellings with a valid token, compared with the plain path'],
      ['logLinesChecked', 'server log lines checked: no secret in any'],
    ],
  ],
  [
    'authz',
    'Authorization matrix',
    [
      ['routes', 'routes'],
      ['cells', 'cells (route × caller)'],
      ['mismatches', '**routes not as the table says**'],
    ],
  ],
  [
    'storage',
    'Storage failures',
    [
      ['disk', 'storage made to refuse writes'],
      ['storage503s', 'truthful 503 answers'],
      ['pendingKept', 'pending audit events kept through a full disk'],
      ['readsWhileRefused', 'reads answered while storage refused writes'],
      ['providerCallsWhileRefused', '**provider calls made while the audit could not be written**'],
    ],
  ],
  [
    'audit',
    'Audit',
    [
      ['editAttempts', 'edit attempts (routes and SQL)'],
      ['edited', '**events changed**'],
      ['pausesExported', 'pauses in the export'],
      ['pausesWithoutEnd', '**pauses without resume / auto-resume / call end**'],
      ['csvRows', 'CSV rows compared with JSON'],
    ],
  ],
];

const out: string[] = [];
for (const [file, title, rows] of sections) {
  const f = load(file);
  out.push(`### ${title}`, '');
  if (f === null) {
    out.push('not run', '');
    continue;
  }
  out.push(`\`${String(f['command'])}\` — ${String(f['at'])}`, '', '| figure | value |', '|---|---:|');
  for (const [key, label] of rows) out.push(`| ${label} | ${n(f[key])} |`);
  out.push('');
}
const figures = out.join('\n');
const doc = readFileSync(docPath, 'utf8');
const start = '<!-- figures:start -->';
const end = '<!-- figures:end -->';
const i = doc.indexOf(start);
const j = doc.indexOf(end);
if (i < 0 || j < i) {
  console.error(`docs/reliability.md has no ${start} … ${end} block`);
  process.exit(2);
}
writeFileSync(docPath, doc.slice(0, i + start.length) + '\n\n' + figures + '\n' + doc.slice(j));
console.log(`docs/reliability.md: figures of ${sections.filter(([f]) => load(f) !== null).length}/${sections.length} runs`);
