import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { durationString, TWILIO_ERROR } from '@pause-recording/core';
import { startEngine, DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, type RunningEngine } from '../src/index.ts';
import { inspectWav } from '../src/audio/inspect.ts';
import { downloadWav, sdkFor, sleepSim, STAY, tempDir, waitFor } from './helpers.ts';

/**
 * Acceptance: kill -9 the engine process mid-recording, restart it on the same data folder,
 * and the recording is a valid WAV holding every frame flushed before the kill.
 */
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Spawns the real CLI and resolves with its URL once it prints "listening on". */
function spawnEngine(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', String(port), '--data', dataDir, '--audio', 'stamped', '--quiet', '--dev-routes'], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const output = () => out;
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /voice-engine listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code, signal) => reject(new Error(`engine exited early (${code ?? signal}):\n${out}`)));
    setTimeout(() => reject(new Error(`engine did not start in time:\n${out}`)), 20_000).unref();
  });
}

interface DevLog {
  startTick: number;
  fileFrames: number;
  status: string;
  events: { tick: number; fileFrame: number; status: string }[];
}

async function devLog(e: { url: string }, sid: string): Promise<DevLog> {
  const res = await fetch(`${e.url}/dev/recordings/${sid}.json`, {
    headers: { authorization: `Basic ${Buffer.from(`${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`).toString('base64')}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as DevLog;
}

describe('crash safety', () => {
  const dataDir = tempDir('engine-crash-');
  let child: ChildProcess | null = null;
  let restarted: RunningEngine | null = null;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await restarted?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kill -9 mid-recording, restart: a valid WAV with every flushed frame, statuses say what happened', async () => {
    const port = await freePort();
    const started = await spawnEngine(dataDir, port);
    child = started.child;
    expect(started.url).toBe(`http://127.0.0.1:${port}`);
    const before = { url: started.url, accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN };
    const client = sdkFor(before);

    const call = await client.calls.create({ to: '+15550001111', from: '+15550002222', twiml: STAY });
    await waitFor('call answered', async () => (await client.calls(call.sid).fetch()).status === 'in-progress');
    const rec = await client.calls(call.sid).recordings.create({ recordingChannels: 'dual' });
    expect(rec.status).toBe('in-progress');

    // About a second of audio, a half-second skip pause, then more audio until 2.5 s are in
    // the file (waiting on the engine's own frame counts, not on wall-clock guesses).
    const auth = { authorization: `Basic ${Buffer.from(`${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`).toString('base64')}` };
    const tick = async () => ((await (await fetch(`${before.url}/dev/health`, { headers: auth })).json()) as { tick: number }).tick;
    await waitFor('1 s recorded', async () => (await devLog(before, rec.sid)).fileFrames >= 50);
    await client.calls(call.sid).recordings(rec.sid).update({ status: 'paused', pauseBehavior: 'skip' });
    const pausedAt = await tick();
    await waitFor('0.5 s paused', async () => (await tick()) >= pausedAt + 25);
    await client.calls(call.sid).recordings(rec.sid).update({ status: 'in-progress' });
    await waitFor('2.5 s recorded', async () => (await devLog(before, rec.sid)).fileFrames >= 125);

    // Frames in the file right before the kill (flushed or still buffered). A writer never
    // buffers more than 49 frames, so at least last.fileFrames - 49 of them are on disk.
    const last = await devLog(before, rec.sid);
    expect(last.status).toBe('in-progress');
    const pauseEvent = last.events.find((x) => x.status === 'paused')!;
    const resumeEvent = last.events.filter((x) => x.status === 'in-progress')[1]!;
    expect(pauseEvent).toBeDefined();
    expect(resumeEvent).toBeDefined();

    const exited = new Promise<NodeJS.Signals | null>((r) => child!.once('exit', (_code, signal) => r(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // --- restart on the same data folder, in-process this time
    restarted = await startEngine({ dataDir, audio: 'stamped', devRoutes: true });
    const e = restarted;
    expect(e.recovered).toEqual([rec.sid]);
    const after = sdkFor(e);

    const fetched = await after.recordings(rec.sid).fetch();
    expect(fetched.status).toBe('completed');
    // Documented choice: a recording a crash cut short is finished with 12400 (internal failure).
    expect(fetched.errorCode).toBe(TWILIO_ERROR.INTERNAL_FAILURE);
    expect(fetched.errorCode).toBe(12400);
    expect(fetched.channels).toBe(2);
    expect(fetched.callSid).toBe(call.sid);
    const viaCall = await after.calls(call.sid).recordings(rec.sid).fetch();
    expect(viaCall.status).toBe('completed');
    expect(viaCall.errorCode).toBe(12400);

    const { wav, bytes, contentType } = await downloadWav(e, rec.sid);
    expect(contentType).toBe('audio/x-wav');
    expect(wav.sampleRate).toBe(8000);
    expect(wav.channels).toBe(2);
    expect(bytes.length).toBe(44 + wav.frames * 160 * 2 * 2);
    expect(fetched.duration).toBe(durationString(wav.frames));

    // An independent WAV parser agrees.
    const wf = new wavefile.WaveFile(bytes);
    const fmt = wf.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number; audioFormat: number };
    expect(fmt.numChannels).toBe(2);
    expect(fmt.sampleRate).toBe(8000);
    expect(fmt.bitsPerSample).toBe(16);
    expect(fmt.audioFormat).toBe(1);
    expect((wf.data as { chunkSize: number }).chunkSize).toBe(wav.frames * 160 * 2 * 2);
    const interleaved = wf.getSamples(true, Int16Array) as unknown as Int16Array;
    expect(interleaved.length).toBe(wav.frames * 160 * 2);
    expect(interleaved[0]).toBe(wav.channelData[0]![0]);
    // The file on disk is the same valid WAV.
    expect(readFileSync(`${dataDir}/recordings/${rec.sid}.wav`).equals(bytes)).toBe(true);

    // Everything flushed before the kill is there: at least the frames up to the pause (flushed
    // on pause) and at least all but the writer's last partial second.
    expect(wav.frames).toBeGreaterThanOrEqual(pauseEvent.fileFrame);
    expect(wav.frames).toBeGreaterThanOrEqual(last.fileFrames - 49);
    expect(wav.frames).toBeGreaterThanOrEqual(125 - 49); // of 2.5 s recorded, at least ~1.5 s provably flushed

    // Stamped frames: from the recording's first frame, in order, once each; the skipped span is absent.
    const own = inspectWav(wav).channels[0]!.slots[0]!;
    expect(own.garbled + own.duplicates + own.outOfOrder).toBe(0);
    const k0 = own.runs[0]!.from;
    const beforePause = pauseEvent.tick - last.startTick;
    expect(beforePause).toBe(pauseEvent.fileFrame);
    expect(own.runs.map((r) => [r.from, r.to, r.fileFrame])).toEqual([
      [k0, k0 + beforePause - 1, 0],
      [k0 + (resumeEvent.tick - last.startTick), k0 + (resumeEvent.tick - last.startTick) + (wav.frames - beforePause) - 1, beforePause],
    ]);
    // The leg is alone: channel 2 (what it hears) holds no stamp.
    expect(inspectWav(wav).channels[1]!.slots.every((s) => s.runs.length === 0)).toBe(true);

    // The call the crash cut off is over.
    const callAfter = await after.calls(call.sid).fetch();
    expect(callAfter.status).toBe('completed');
    expect(callAfter.endTime).not.toBeNull();
    // It lasted from its answer until the restart: at least the seconds of audio recorded.
    expect(Number(callAfter.duration)).toBeGreaterThanOrEqual(Math.floor(wav.frames / 50));

    // The SQLite store survived: the old recording is listed, and a new call records normally.
    const listed = await after.recordings.list();
    expect(listed.map((r) => r.sid)).toContain(rec.sid);
    const call2 = await after.calls.create({ to: '+15550003333', from: '+15550002222', twiml: STAY });
    await waitFor('new call answered', async () => (await after.calls(call2.sid).fetch()).status === 'in-progress');
    const rec2 = await after.calls(call2.sid).recordings.create({ recordingChannels: 'mono' });
    await sleepSim(e, 0.5);
    await after.calls(call2.sid).update({ status: 'completed' });
    const done2 = await waitFor('new recording completed', async () => {
      const r = await after.recordings(rec2.sid).fetch();
      return r.status === 'completed' ? r : null;
    });
    expect(done2.errorCode).toBeNull();
    const second = await downloadWav(e, rec2.sid);
    expect(second.wav.channels).toBe(1);
    expect(second.wav.frames).toBeGreaterThan(0);
    const again = (await after.recordings.list()).map((r) => r.sid);
    expect(again).toEqual(expect.arrayContaining([rec.sid, rec2.sid]));
    expect(e.recovered).toEqual([rec.sid]);
  });
});
