import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));
/** Per test: a tsx start-up takes ~3 s of a loaded machine; this is a hang bound, not a speed check. */
const SPAWN_TIMEOUT_MS = 120_000;

function run(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

// Each case spawns node with tsx, which costs seconds of CPU before the CLI even parses: one at a
// time (parallel spawns on a loaded 2-core machine starved each other past the default 30 s), each
// with a bound that a slow machine cannot reach by being slow.
describe('voice-engine CLI', { timeout: SPAWN_TIMEOUT_MS }, () => {
  it('--help (and -h) prints usage on stdout and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run(flag);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(/^usage: npm run engine -- \[--port 4500\]/);
      for (const opt of [
        '--port',
        '--host',
        '--data',
        '--audio demo|stamped',
        '--speed',
        '--account-sid',
        '--auth-token',
        '--quiet',
        '--dev-routes',
        '--callback-origin',
        '--audio-threads',
      ]) {
        expect(r.out).toContain(opt);
      }
    }
  });

  const bad: [string[], string][] = [
    [['--port', 'abc'], '--port: must be an integer 0..65535'],
    [['--port', '0x10'], "--port: must be an integer 0..65535, got '0x10'"],
    [['--port='], "--port: must be an integer 0..65535, got ''"],
    [['--speed', 'fast'], "--speed: must be a number in (0, 1000], got 'fast'"],
    [['--account-sid', 'AC123'], '--account-sid:'],
    [['--data', ''], '--data: required'],
    [['--callback-origin', 'ftp://x'], "--callback-origin: callback origin 'ftp://x': must be an http or https URL"],
    [['--callback-origin', 'not a url'], "--callback-origin: callback origin 'not a url': must be an absolute http(s) URL"],
    [['--audio-threads', 'two'], "--audio-threads: must be an integer 0..64, got 'two'"],
    [['--audio-threads', '65'], '--audio-threads: must be an integer 0..64, got 65'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['stray'], "Unexpected argument 'stray'"],
    [['--port'], "Option '--port <value>' argument missing"],
  ];
  for (const [args, message] of bad) {
    it(`${JSON.stringify(args)}: exit 2, a message naming the option, and usage`, async () => {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(`voice-engine: `);
      expect(r.err).toContain(message);
      expect(r.err).toContain('usage: npm run engine --');
    });
  }

  it('several problems are reported together, each naming its option', async () => {
    const r = await run('--audio', 'loud', '--speed=0', '--port', '70000', '--auth-token', 'short');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('--audio: must be stamped or demo, got loud');
    expect(r.err).toContain('--speed: must be a number in (0, 1000], got 0');
    expect(r.err).toContain('--port: must be an integer 0..65535, got 70000');
    expect(r.err).toContain('--auth-token: must be at least 8 characters');
  });
});
