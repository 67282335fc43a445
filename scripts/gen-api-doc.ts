/**
 * `npm run docs:api`: writes docs/api.md from the control server's OpenAPI document and the
 * hand-written notes in docs/api-notes.md. It runs a real engine and server on loopback ports
 * (temporary data), logs in, reads `GET /api/openapi.json`, and renders it (scripts/api-doc.ts).
 * `--check` writes nothing and fails when docs/api.md differs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, loadServerConfig, startServer } from '@pause-recording/server';
import { startEngine } from '@pause-recording/voice-engine';
import { renderApiDoc } from './api-doc.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const API_DOC = join(ROOT, 'docs', 'api.md');
export const API_NOTES = join(ROOT, 'docs', 'api-notes.md');

/** The OpenAPI document as a running server serves it to a logged-in user. */
export async function fetchOpenApi(): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'api-doc-'));
  const engine = await startEngine({ dataDir: join(dir, 'engine'), audio: 'stamped' });
  try {
    const config = loadServerConfig(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: join(dir, 'server'),
        ENGINE_URL: engine.url,
        TWILIO_ACCOUNT_SID: engine.accountSid,
        TWILIO_AUTH_TOKEN: engine.authToken,
      },
      () => '{}',
    );
    const server = await startServer(config, { logger: createLogger('silent') });
    try {
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identity: 'sam', password: config.auth.demoPassword }),
      });
      const { token } = (await login.json()) as { token: string };
      const res = await fetch(`${server.url}/api/openapi.json`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`GET /api/openapi.json: HTTP ${res.status}`);
      return await res.json();
    } finally {
      await server.close();
    }
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function generateApiDoc(): Promise<string> {
  return renderApiDoc(await fetchOpenApi(), readFileSync(API_NOTES, 'utf8'));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await generateApiDoc();
  if (process.argv.includes('--check')) {
    if (readFileSync(API_DOC, 'utf8') !== text) {
      console.error('docs/api.md differs from what the routes generate: run npm run docs:api');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(API_DOC, text);
    console.log(`wrote ${API_DOC}`);
  }
}
