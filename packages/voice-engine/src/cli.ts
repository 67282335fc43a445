#!/usr/bin/env node
import { parseArgs } from 'node:util';
import Type from 'typebox';
import { fieldPath, schemaProblems } from '@pause-recording/core';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, DEFAULT_ENGINE_PORT, isEngineOptions, startEngine, validateEngineOptions } from './index.ts';

const USAGE = `usage: npm run engine -- [--port ${DEFAULT_ENGINE_PORT}] [--host 127.0.0.1] [--data ./data/engine]
                           [--audio demo|stamped] [--speed 1] [--audio-threads N]
                           [--account-sid ${DEFAULT_ACCOUNT_SID}] [--auth-token ${DEFAULT_AUTH_TOKEN}] [--quiet]
                           [--dev-routes] [--callback-origin https://host:port]...`;

function fail(msg: string): never {
  console.error(`voice-engine: ${msg}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      audio: { type: 'string' },
      speed: { type: 'string' },
      'audio-threads': { type: 'string' },
      'account-sid': { type: 'string' },
      'auth-token': { type: 'string' },
      quiet: { type: 'boolean' },
      'dev-routes': { type: 'boolean' },
      'callback-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (e) {
  fail((e as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

// Numbers arrive as text: their spelling is checked here (by schema, so every bad one is named at
// once), their range with the other options by validateEngineOptions.
const NumberArgs = Type.Object({
  port: Type.Optional(Type.String({ pattern: '^\\d+$', problem: 'must be an integer 0..65535' })),
  speed: Type.Optional(Type.String({ pattern: '^\\d+(\\.\\d+)?$', problem: 'must be a number in (0, 1000]' })),
  'audio-threads': Type.Optional(Type.String({ pattern: '^\\d+$', problem: 'must be an integer 0..64' })),
});
const spelling = schemaProblems(
  NumberArgs,
  { port: values.port, speed: values.speed, 'audio-threads': values['audio-threads'] },
  { got: (v) => `, got '${String(v)}'` },
);
if (spelling.length) fail(spelling.map((p) => `--${fieldPath(p.path)}: ${p.problem}`).join('; '));

const opts = {
  dataDir: values.data ?? './data/engine',
  port: values.port === undefined ? DEFAULT_ENGINE_PORT : Number(values.port),
  host: values.host ?? '127.0.0.1',
  audio: values.audio ?? 'demo',
  speed: values.speed === undefined ? 1 : Number(values.speed),
  ...(values['audio-threads'] !== undefined ? { audioThreads: Number(values['audio-threads']) } : {}),
  logger: !values.quiet,
  ...(values['account-sid'] ? { accountSid: values['account-sid'] } : {}),
  ...(values['auth-token'] ? { authToken: values['auth-token'] } : {}),
  devRoutes: values['dev-routes'] === true,
  callbackOrigins: values['callback-origin'] ?? [],
};
// Problems name the option as the user typed it (--account-sid, not accountSid).
const FLAGS: Record<string, string> = {
  dataDir: '--data',
  port: '--port',
  accountSid: '--account-sid',
  authToken: '--auth-token',
  audio: '--audio',
  speed: '--speed',
  audioThreads: '--audio-threads',
  callbackOrigins: '--callback-origin',
};
const problems = validateEngineOptions(opts).map((p) => p.replace(/^(\w+):/, (_m, key: string) => `${FLAGS[key] ?? key}:`));
if (problems.length || !isEngineOptions(opts)) fail(problems.join('; '));

const running = await startEngine(opts).catch((e: unknown) => fail((e as Error).message));
console.log(`voice-engine listening on ${running.url}`);
console.log(`  account ${running.accountSid}  auth token ${running.authToken === DEFAULT_AUTH_TOKEN ? running.authToken : '(as given)'}`);
console.log(`  data ${opts.dataDir}  audio ${opts.audio}  speed ${opts.speed}x  audio threads ${running.engine.audioThreads?.threads ?? '0 (engine thread)'}`);
console.log(
  `  dev routes ${running.devRoutes ? 'on (/dev/*: inbound calls, Flex tokens, faults)' : 'off'}  callbacks to ${running.engine.callbacks.policy.describe()}`,
);
if (running.recovered.length) console.log(`  finished ${running.recovered.length} recording(s) a previous run left open`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`voice-engine: ${signal}, finishing open recordings`);
  void running.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
