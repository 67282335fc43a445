import { describe, expect, it } from 'vitest';
import { ValidationError } from '@pause-recording/core';
import { loadServerConfig } from './server-config.ts';

const AC = 'AC' + 'a'.repeat(32);
const noFile = (): string => {
  throw new Error('no such file');
};

describe('loadServerConfig', () => {
  it('has the documented defaults in embedded mode', () => {
    expect(loadServerConfig({}, noFile).twilio.accountSid).toBe('AC0123456789abcdef0123456789abcdef');
    const c = loadServerConfig({ TWILIO_ACCOUNT_SID: AC }, noFile);
    expect(c).toMatchObject({
      mode: 'embedded',
      port: 4400,
      host: '127.0.0.1',
      dataDir: './data',
      publicUrl: null,
      twilio: { accountSid: AC, authToken: 'engine-dev-token', apiBaseUrl: 'http://127.0.0.1:4500' },
      auth: { demoPassword: 'demo', secret: null },
      enginePort: 4500,
      http: { corsOrigins: [], rateLimitPerMinute: 1200, loginFailuresPerMinute: 10 },
      simulator: { autoCalls: true, intervalSeconds: 20, audio: null },
    });
    expect(c.app.pauseRecording.reminderSeconds).toBe(30);
  });

  it('reads ENGINE_URL, DEMO_PASSWORD and the settings file', () => {
    const c = loadServerConfig({ TWILIO_ACCOUNT_SID: AC, ENGINE_URL: 'http://127.0.0.1:9999/', DEMO_PASSWORD: 'pw', CONFIG: '/x.json', PORT: '0' }, (p) =>
      p === '/x.json' ? '{"call_recording_enabled": true}' : noFile(),
    );
    expect(c.twilio.apiBaseUrl).toBe('http://127.0.0.1:9999');
    expect(c.flexValidateUrl).toBe('http://127.0.0.1:9999');
    expect(c.auth.demoPassword).toBe('pw');
    expect(c.app.callRecordingEnabled).toBe(true);
    expect(loadServerConfig({ CORS_ORIGINS: 'https://flex.twilio.com, http://localhost:5173' }, noFile).http.corsOrigins).toEqual([
      'https://flex.twilio.com',
      'http://localhost:5173',
    ]);
    expect(() => loadServerConfig({ CORS_ORIGINS: 'https://x.example/path,*' }, noFile)).toThrow(
      /CORS_ORIGINS: "https:\/\/x.example\/path"[\s\S]*CORS_ORIGINS: "\*"/,
    );
    expect(loadServerConfig({ SIMULATOR: 'off', AUDIO: 'stamped' }, noFile).simulator).toMatchObject({ autoCalls: false, audio: 'stamped' });
    expect(() => loadServerConfig({ SIMULATOR: 'maybe', AUDIO: 'loud' }, noFile)).toThrow(/SIMULATOR: must be on or off[\s\S]*AUDIO: must be stamped or demo/);
  });

  it("production mode allows Flex's origin by CORS unless CORS_ORIGINS says otherwise (none: no origin)", () => {
    const prod = { SERVER_MODE: 'production', TWILIO_ACCOUNT_SID: AC, TWILIO_AUTH_TOKEN: 't', PUBLIC_URL: 'https://x.example' };
    expect(loadServerConfig(prod, noFile).http.corsOrigins).toEqual(['https://flex.twilio.com']);
    expect(loadServerConfig({ ...prod, CORS_ORIGINS: '' }, noFile).http.corsOrigins).toEqual(['https://flex.twilio.com']);
    expect(loadServerConfig({ ...prod, CORS_ORIGINS: 'https://other.example' }, noFile).http.corsOrigins).toEqual(['https://other.example']);
    expect(loadServerConfig({ ...prod, CORS_ORIGINS: 'none' }, noFile).http.corsOrigins).toEqual([]);
    expect(loadServerConfig({}, noFile).http.corsOrigins).toEqual([]);
  });

  it('production mode talks to Twilio and needs credentials and a public URL', () => {
    const c = loadServerConfig({ SERVER_MODE: 'production', TWILIO_ACCOUNT_SID: AC, TWILIO_AUTH_TOKEN: 't', PUBLIC_URL: 'https://x.example' }, noFile);
    expect(c.twilio.apiBaseUrl).toBeNull();
    expect(c.flexValidateUrl).toBe('https://iam.twilio.com');
    let err: unknown;
    try {
      loadServerConfig({ SERVER_MODE: 'production' }, noFile);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([
      'TWILIO_ACCOUNT_SID: required in production mode',
      'TWILIO_AUTH_TOKEN: required in production mode',
      'PUBLIC_URL: required in production mode (Twilio must reach the webhooks)',
    ]);
  });

  it('lists every problem of env and file in one error', () => {
    let err: unknown;
    try {
      loadServerConfig(
        { TWILIO_ACCOUNT_SID: 'AC1', PORT: 'eighty', SERVER_MODE: 'cloud', ENGINE_URL: 'ftp://x', CONFIG: '/c.json', LOG_LEVEL: 'loud' },
        () => '{"features": {"pause_recording": {"reminder_seconds": "30"}}}',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const problems = (err as ValidationError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('SERVER_MODE'),
        expect.stringContaining('PORT'),
        expect.stringContaining('ENGINE_URL'),
        expect.stringContaining('TWILIO_ACCOUNT_SID'),
        expect.stringContaining('LOG_LEVEL'),
        expect.stringContaining('config.features.pause_recording.reminder_seconds'),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('reads the login, stream and Flex login limits, and refuses nonsense in them', () => {
    const c = loadServerConfig({}, noFile);
    expect(c.http).toMatchObject({
      loginFailuresPerMinute: 10,
      loginBackoffSeconds: 60,
      loginBackoffMaxSeconds: 900,
      loginAttemptsPerMinute: 300,
      sseStreamsPerIdentity: 5,
    });
    expect([c.auth.flexLogin, c.auth.flexTokenCacheSeconds, c.nodeEnv]).toEqual([true, 30, null]);
    const d = loadServerConfig(
      {
        LOGIN_BACKOFF_SECONDS: '5',
        LOGIN_BACKOFF_MAX_SECONDS: '50',
        LOGIN_ATTEMPTS_PER_MINUTE: '7',
        SSE_STREAMS_PER_IDENTITY: '2',
        FLEX_LOGIN: 'off',
        FLEX_TOKEN_CACHE_SECONDS: '0',
        NODE_ENV: 'test',
      },
      noFile,
    );
    expect(d.http).toMatchObject({ loginBackoffSeconds: 5, loginBackoffMaxSeconds: 50, loginAttemptsPerMinute: 7, sseStreamsPerIdentity: 2 });
    expect([d.auth.flexLogin, d.auth.flexTokenCacheSeconds, d.nodeEnv]).toEqual([false, 0, 'test']);
    expect(() =>
      loadServerConfig({ LOGIN_BACKOFF_SECONDS: '60', LOGIN_BACKOFF_MAX_SECONDS: '30', SSE_STREAMS_PER_IDENTITY: '0', FLEX_LOGIN: 'maybe' }, noFile),
    ).toThrow(
      /LOGIN_BACKOFF_MAX_SECONDS: must not be less than LOGIN_BACKOFF_SECONDS[\s\S]*SSE_STREAMS_PER_IDENTITY: must be a whole number from 1[\s\S]*FLEX_LOGIN: must be on or off/,
    );
    // A validation is never reused for more than a minute.
    expect(() => loadServerConfig({ FLEX_TOKEN_CACHE_SECONDS: '61' }, noFile)).toThrow(/FLEX_TOKEN_CACHE_SECONDS: must be a whole number from 0 to 60/);
  });

  it('DATABASE_URL selects PostgreSQL; anything but a postgres:// URL is refused, naming the variable and never echoing the value', () => {
    expect(loadServerConfig({}, noFile).databaseUrl).toBeNull();
    expect(loadServerConfig({ DATABASE_URL: '' }, noFile).databaseUrl).toBeNull();
    for (const url of ['postgres://u:p@db.internal:5432/pause', 'postgresql://127.0.0.1/x', 'postgres://u:p@db?sslmode=require'])
      expect(loadServerConfig({ DATABASE_URL: url }, noFile).databaseUrl).toBe(url);
    for (const bad of ['mysql://u:s3cret@h/db', 'postgres://', 'postgres:///db', 'u:s3cret@h/db', 'postgres://u:s3cret@h/db with space']) {
      let err: unknown = null;
      try {
        loadServerConfig({ DATABASE_URL: bad }, noFile);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).problems, bad).toEqual([expect.stringMatching(/^DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/)]);
      expect(JSON.stringify((err as ValidationError).problems), bad).not.toContain('s3cret');
    }
  });

  it('TASKROUTER_GRANT_CACHE_MS: 2000 in embedded mode, off in production unless set, 0-10000 ms', () => {
    const prod = { SERVER_MODE: 'production', TWILIO_ACCOUNT_SID: AC, TWILIO_AUTH_TOKEN: 't', PUBLIC_URL: 'https://x.example' };
    expect(loadServerConfig({}, noFile).twilio.grantCacheMs).toBe(2000);
    expect(loadServerConfig({ TASKROUTER_GRANT_CACHE_MS: '0' }, noFile).twilio.grantCacheMs).toBe(0);
    expect(loadServerConfig(prod, noFile).twilio.grantCacheMs).toBe(0);
    expect(loadServerConfig({ ...prod, TASKROUTER_GRANT_CACHE_MS: '1500' }, noFile).twilio.grantCacheMs).toBe(1500);
    for (const bad of ['-1', '10001', '1.5', 'soon'])
      expect(() => loadServerConfig({ TASKROUTER_GRANT_CACHE_MS: bad }, noFile), bad).toThrow(
        /TASKROUTER_GRANT_CACHE_MS: must be a whole number from 0 to 10000/,
      );
  });

  it('reports an unreadable settings file', () => {
    expect(() => loadServerConfig({ TWILIO_ACCOUNT_SID: AC, CONFIG: '/missing.json' }, noFile)).toThrow(/CONFIG: cannot read/);
  });
});
