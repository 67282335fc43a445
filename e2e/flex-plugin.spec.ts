/**
 * Issue 12, acceptance 2: the real Flex UI library in Chromium, the
 * plugin's BUILT bundle loaded by Flex's own loader (`Plugins.init` from a <script uuid>), an
 * offline Manager, and a task that is a live call on the voice engine. Ctrl+Shift+3 pauses the
 * real recording, Ctrl+Shift+4 resumes it, (a) through the Functions (packages/functions) under
 * the real `twilio-run start` on the template's paths, with the agent's engine-issued Flex token,
 * and (b) through the control server's task API, and the WAV shows the paused span (silence, as the
 * e2e system pauses with include_silence). Every request outside the control server (and, for (a),
 * the Functions) is refused and fails the test (Flex's own static assets are refused and only recorded).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { RecordingDetail, TaskRecordingState, TasksResponse } from '@pause-recording/core';
import { FRAMES_PER_SECOND } from '@pause-recording/core';
import { startFunctions, type RunningFunctions } from '../packages/functions/test/support/functions.ts';
import { inspectWav, readWav } from '../packages/voice-engine/src/audio/index.ts';
import { docScreenshot, expect, test } from './support/fixtures.ts';

const PLUGIN = resolve('packages/flex-plugin');
const OUT = resolve('test-results/flex-plugin');
/**
 * Flex's own static assets, refused like everything else but expected: phone-number data at import,
 * Paste's web fonts, the incoming-call sound. Any other request outside the server fails the test.
 */
const FLEX_OWN_ASSETS = [
  /^https:\/\/assets\.flex\.twilio\.com\/assets\/(countries|flagPositions)\.json$/,
  /^https:\/\/assets\.twilio\.com\/public_assets\/paste-fonts\/[\d.]+\/fonts\.css$/,
  /^https:\/\/media\.twiliocdn\.com\/sdk\/js\/client\/sounds\/releases\/[\d.]+\/\w+\.mp3$/,
];

test.beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  // The plugin exactly as `npm run build -w packages/flex-plugin` makes it.
  execFileSync(process.execPath, [join(PLUGIN, 'build.mjs'), '--outdir', OUT], { stdio: 'pipe' });
  // The test page: the real Flex library with the plugin's React 17 (the repository root holds React 19).
  const oneReact: Plugin = {
    name: 'one-react',
    setup(b) {
      // Resolve these as the plugin package does (browser fields included), wherever imported from.
      b.onResolve({ filter: /^(react|react-dom|redux|react-redux|@twilio\/flex-ui)(\/.*)?$/ }, (args) =>
        args.resolveDir === PLUGIN ? undefined : b.resolve(args.path, { resolveDir: PLUGIN, kind: args.kind }),
      );
      // mime-types (a dependency of one of Flex's) requires Node's path for extname: a browser stub.
      b.onResolve({ filter: /^path$/ }, () => ({ path: 'path', namespace: 'node-stub' }));
      b.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({
        contents: "module.exports = { extname: (p) => { const m = /\\.[^./]*$/.exec(p); return m ? m[0] : ''; } };",
        loader: 'js',
      }));
    },
  };
  await build({
    entryPoints: [join(PLUGIN, 'test/support/flex-page.tsx')],
    outfile: join(OUT, 'flex-page.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    jsx: 'automatic',
    // CommonJS entries only: Flex require()s react-redux, so an ESM copy for the page would be a
    // second react-redux (a second store context).
    mainFields: ['browser', 'main'],
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    plugins: [oneReact],
    logLevel: 'error',
  });
});

let functions: RunningFunctions | null = null;

test.afterEach(async ({ system }) => {
  await system.finishTasks('alice');
  await functions?.stop();
  functions = null;
});

/** The engine's `AccountSid:AuthToken` (global-setup gives the engine a Twilio-shaped token). */
function engineCredentials(): { url: string; accountSid: string; authToken: string } {
  const url = process.env['E2E_ENGINE_URL'];
  const [accountSid, authToken] = (process.env['E2E_ENGINE_AUTH'] ?? '').split(':');
  if (url === undefined || !accountSid || !authToken) throw new Error('global-setup did not start the engine');
  return { url, accountSid, authToken };
}

/** alice's Flex token, minted by the engine as Twilio's IAM would mint it when she signs in to Flex. */
async function flexToken(identity: string): Promise<string> {
  const e = engineCredentials();
  const res = await fetch(`${e.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ identity, roles: ['agent'], ttlSeconds: 3600 }),
  });
  if (res.status !== 201) throw new Error(`flex token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

for (const backend of ['functions', 'server'] as const) {
  test(`Flex with the built plugin (${backend} backend): Ctrl+Shift+3 pauses the live call’s real recording, Ctrl+Shift+4 resumes, the WAV holds the paused span`, async ({
    page,
    system,
  }) => {
    const origin = new URL(system.url).origin;
    const flags = { enabled: true, indicator_banner: true, indicator_permanent: true, include_silence: true };
    // Functions: the real Functions under twilio-run, on the engine the server drives (the worker-to-task
    // check is off: this contact center's tasks are not TaskRouter tasks; packages/functions tests it).
    if (backend === 'functions') {
      const e = engineCredentials();
      functions = await startFunctions({ engineUrl: e.url, accountSid: e.accountSid, authToken: e.authToken, env: { VALIDATE_WORKER_TASK: 'false' } });
    }
    const functionsUrl = functions === null ? null : new URL(functions.url);
    const customData =
      functionsUrl === null
        ? { features: { pause_recording: { ...flags, backend: 'server', server_url: origin } } }
        : {
            serverless_functions_domain: functionsUrl.hostname,
            serverless_functions_port: functionsUrl.port,
            serverless_functions_protocol: 'http',
            features: { pause_recording: flags },
          };
    const serverToken = await system.login('alice');
    const auth = { authorization: `Bearer ${serverToken}` };
    // The plugin's token: the Functions validate a Flex token with the engine (as with Twilio's IAM).
    const token = backend === 'functions' ? await flexToken('alice') : serverToken;
    const call = await system.placeCall('alice');
    if (call.taskSid === null) throw new Error('the simulated call got no task');
    const taskSid = call.taskSid;
    expect((await fetch(`${system.url}/api/tasks/${taskSid}/accept`, { method: 'POST', headers: auth })).status).toBe(200);
    await expect.poll(() => system.recordingStatus('alice', taskSid), { timeout: 25_000 }).toBe('recording');
    const { tasks } = (await (await fetch(`${system.url}/api/tasks`, { headers: auth })).json()) as TasksResponse;
    const view = tasks.find((t) => t.sid === taskSid);
    if (!view?.attributes.conference.sid) throw new Error('the task has no conference');

    // Nothing leaves the machine: only the control server (and the Functions) are reachable; the page comes from routes.
    const refused: string[] = [];
    const functionsCalls: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      if (functionsUrl !== null && new URL(url).origin === functionsUrl.origin) {
        functionsCalls.push(`${route.request().method()} ${new URL(url).pathname}`);
        return route.continue();
      }
      refused.push(url);
      return route.abort('blockedbyclient');
    });
    const files: Record<string, [string, string]> = {
      '/flex-e2e/index.html': [
        'text/html',
        '<!doctype html><html><head><meta charset="utf-8"><title>Flex e2e</title></head><body><div id="root"></div><script src="/flex-e2e/flex-page.js"></script></body></html>',
      ],
      '/flex-e2e/flex-page.js': ['text/javascript', readFileSync(join(OUT, 'flex-page.js'), 'utf8')],
      '/flex-e2e/plugin-pause-recording.js': ['text/javascript', readFileSync(join(OUT, 'plugin-pause-recording.js'), 'utf8')],
    };
    await page.route(`${origin}/flex-e2e/**`, (route) => {
      const f = files[new URL(route.request().url()).pathname];
      return f ? route.fulfill({ status: 200, contentType: f[0], body: f[1] }) : route.fulfill({ status: 404, body: 'not found' });
    });
    await page.addInitScript(
      (cfg) => {
        Object.assign(window, { __FLEX_E2E__: cfg });
      },
      {
        customData,
        token,
        identity: 'alice',
        pluginUrl: `${origin}/flex-e2e/plugin-pause-recording.js`,
        task: { taskSid, callSid: view.attributes.call_sid, conferenceSid: view.attributes.conference.sid },
      },
    );

    // The page is fulfilled by Playwright (no address, so Chromium counts it public): its requests to the
    // Functions on another loopback port need Local Network Access, which Chromium asks the user for. Real
    // Flex (flex.twilio.com calling *.twil.io) never asks; here the "user" grants it.
    if (functionsUrl !== null) await page.context().grantPermissions(['local-network-access'], { origin });
    await page.goto(`${origin}/flex-e2e/index.html`);
    await expect
      .poll(() => page.evaluate(() => document.body.getAttribute('data-error') ?? (Reflect.get(window, '__FLEX_E2E_READY__') === true ? 'ready' : 'loading')), {
        timeout: 30_000,
      })
      .toBe('ready');
    const button = page.getByTestId('pause-recording-button');
    await expect(button).toHaveAttribute('title', 'Pause Recording');
    await expect(button).not.toHaveAttribute('aria-disabled', 'true');

    const pressedPause = Date.now();
    await page.keyboard.press('Control+Shift+Digit3');
    // The server pauses every recording of the task; the template's Functions pause the conference's
    // only, so with the e2e system's second (dual-channel) recording the task is partially paused.
    await expect.poll(() => system.recordingStatus('alice', taskSid)).toBe(backend === 'server' ? 'paused' : 'partially-paused');
    await expect(page.getByTestId('recording-paused-indicator')).toHaveText('Call Recording Paused');
    await expect(button).toHaveAttribute('title', 'Resume Recording');
    await expect(page.getByText('Call recording paused').first()).toBeVisible();
    // From here until the resume key the recording is certainly paused.
    const surelyPaused = Date.now();
    if (backend === 'server') await docScreenshot(page, 'flex-call-canvas-paused');
    // Hold the pause long enough to find it in the audio.
    await page.waitForTimeout(2000);
    const pressedResume = Date.now();
    await page.keyboard.press('Control+Shift+Digit4');
    await expect.poll(() => system.recordingStatus('alice', taskSid)).toBe('recording');
    const surelyResumed = Date.now();
    await expect(page.getByTestId('recording-paused-indicator')).toHaveCount(0);
    await expect(button).toHaveAttribute('title', 'Pause Recording');

    // Hang up; every recording completes; the one with the pause holds silence over the paused span.
    await page.waitForTimeout(500);
    const state = (await (await fetch(`${system.url}/api/tasks/${taskSid}/recording`, { headers: auth })).json()) as TaskRecordingState;
    await fetch(`${system.url}/api/tasks/${taskSid}/hangup`, { method: 'POST', headers: auth });
    let proved = 0;
    for (const rec of state.recordings) {
      if (backend === 'functions' && rec.conferenceSid === null) continue;
      const detailOf = async (): Promise<RecordingDetail> =>
        (await (await fetch(`${system.url}/api/recordings/${rec.sid}`, { headers: auth })).json()) as RecordingDetail;
      await expect.poll(async () => (await detailOf()).status, { timeout: 20_000 }).toBe('completed');
      const detail = await detailOf();
      const media = await fetch(`${system.url}/api/recordings/${rec.sid}/media`, { headers: auth });
      const silences = inspectWav(readWav(Buffer.from(await media.arrayBuffer()))).channels.flatMap((c) => c.zeroSpans);
      if (backend === 'server') {
        const pause = detail.pauses[0];
        expect(detail.pauses).toHaveLength(1);
        if (!pause || pause.lengthSeconds === null) throw new Error(`${rec.sid}: the pause is not closed`);
        const start = pause.offsetSeconds * FRAMES_PER_SECOND;
        const frames = pause.lengthSeconds * FRAMES_PER_SECOND;
        // Silence (zeros) of about the pause's length where the server says it began.
        const span = silences.find((z) => Math.abs(z.fileFrame - start) < FRAMES_PER_SECOND && z.frames >= 0.8 * frames);
        expect(span, `${rec.sid}: no silent span of ${pause.lengthSeconds}s near ${pause.offsetSeconds}s`).toBeDefined();
      } else {
        // The Functions paused the engine directly, so the server has no annotation: place the span by the
        // clock. It must cover the time the call was surely paused and lie within the keys' presses (a
        // second's slack for the recording's whole-second startTime). The demo voice's own gaps stay under 1 s.
        if (detail.startTime === null) throw new Error(`${rec.sid}: no startTime`);
        const at = (ms: number): number => ((ms - Date.parse(detail.startTime ?? '')) / 1000) * FRAMES_PER_SECOND;
        const slack = FRAMES_PER_SECOND;
        const span = silences.find(
          (z) =>
            z.fileFrame <= at(surelyPaused) + slack &&
            z.fileFrame + z.frames >= at(pressedResume) - slack &&
            z.fileFrame >= at(pressedPause) - slack &&
            z.fileFrame + z.frames <= at(surelyResumed) + slack,
        );
        expect(span, `${rec.sid}: no silent span over the paused time; silences: ${JSON.stringify(silences.filter((z) => z.frames > 10))}`).toBeDefined();
        expect(span?.frames ?? 0).toBeGreaterThanOrEqual(1.5 * FRAMES_PER_SECOND);
      }
      proved++;
    }
    expect(proved).toBeGreaterThan(0);
    // (a) went through twilio-run on the template's paths (the preflight, if any, aside).
    if (backend === 'functions') {
      expect(functionsCalls).toContain('POST /features/pause-recording/flex/pause-conference-recording');
      expect(functionsCalls).toContain('POST /features/pause-recording/flex/resume-conference-recording');
    }
    expect(refused.filter((u) => !FLEX_OWN_ASSETS.some((re) => re.test(u)))).toEqual([]);
    // The block was in force: Flex did try its asset host and got nothing.
    expect(refused.some((u) => u.includes('assets.flex.twilio.com'))).toBe(true);
  });
}
