/** The template's configuration shape and accessors, read where the template reads them. */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FunctionsBackend } from '../helpers/FunctionsBackend.ts';
import { LOCALES, stringsFor, addStrings, enUS } from '../strings/index.ts';
import { FeatureConfig, PLUGIN_LIBRARY_FUNCTIONS_PATH, readCustomData } from './index.ts';

// The flex-config file of flex-project-template, unchanged (ui_attributes.custom_data).
const TEMPLATE_CUSTOM_DATA = {
  serverless_functions_domain: 'custom-flex-extensions-serverless-1234-dev.twil.io',
  language: 'default',
  features: {
    pause_recording: { enabled: true, include_silence: false, indicator_banner: false, indicator_permanent: true },
    dual_channel_recording: { enabled: false, channel: 'worker' as const },
  },
};

describe('configuration', () => {
  it('reads custom_data from the UI configuration, else from ui_attributes', () => {
    expect(readCustomData({ configuration: { custom_data: TEMPLATE_CUSTOM_DATA } })).toEqual(TEMPLATE_CUSTOM_DATA);
    expect(readCustomData({ serviceConfiguration: { ui_attributes: { custom_data: TEMPLATE_CUSTOM_DATA } } })).toEqual(TEMPLATE_CUSTOM_DATA);
    expect(readCustomData({})).toEqual({});
  });

  it('lets the worker’s config_overrides change a feature key, as the template merges them', () => {
    const c = readCustomData({
      configuration: { custom_data: TEMPLATE_CUSTOM_DATA },
      workerClient: { attributes: { config_overrides: { features: { pause_recording: { indicator_banner: true } } } } },
    });
    expect(c.features?.pause_recording).toEqual({ ...TEMPLATE_CUSTOM_DATA.features.pause_recording, indicator_banner: true });
    expect(c.features?.dual_channel_recording).toEqual(TEMPLATE_CUSTOM_DATA.features.dual_channel_recording);
  });

  it('has the template’s accessors: every flag off by default and off while the feature is disabled', () => {
    const flags = { indicator_banner: true, indicator_permanent: true, include_silence: true };
    const on = new FeatureConfig({ features: { pause_recording: { enabled: true, ...flags } } });
    const off = new FeatureConfig({ features: { pause_recording: { enabled: false, ...flags } } });
    const none = new FeatureConfig({});
    for (const [c, want] of [
      [on, true],
      [off, false],
      [none, false],
    ] as const) {
      expect([c.isFeatureEnabled(), c.isBannerIndicatorEnabled(), c.isPermanentIndicatorEnabled(), c.isIncludeSilenceEnabled()]).toEqual([
        want,
        want,
        want,
        want,
      ]);
    }
    expect(on.pauseBehavior()).toBe('silence');
    expect(new FeatureConfig({ features: { pause_recording: { enabled: true } } }).pauseBehavior()).toBe('skip');
  });

  it('builds the Functions URL as the template’s ApiService (https, domain, optional port)', () => {
    const c = new FeatureConfig(TEMPLATE_CUSTOM_DATA);
    expect(c.backend()).toBe('functions');
    expect(c.functionsBaseUrl()).toBe('https://custom-flex-extensions-serverless-1234-dev.twil.io/features/pause-recording/flex');
    expect(c.problems()).toEqual([]);
  });

  it('names what is missing for each backend', () => {
    expect(new FeatureConfig({ features: { pause_recording: { enabled: true } } }).problems()).toEqual([
      'serverless_functions_domain: must name the Functions service when backend is functions',
    ]);
    expect(new FeatureConfig({ features: { pause_recording: { enabled: true, backend: 'server', server_url: 'ftp://x' } } }).problems()).toEqual([
      'features.pause_recording.server_url: must be an http(s) URL when backend is server',
    ]);
  });
});

describe('the Plugin Library’s Function paths', () => {
  it('functions_path /pause-recording posts to /pause-recording/pause-conference-recording with the Flex token', async () => {
    const seen: { path: string; body: string }[] = [];
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ success: true, recording: { sid: 'RE' + 'a'.repeat(32), status: 'paused' } }));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const address = srv.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const config = new FeatureConfig({
      serverless_functions_domain: '127.0.0.1',
      serverless_functions_port: String(address.port),
      serverless_functions_protocol: 'http',
      features: { pause_recording: { enabled: true, functions_path: PLUGIN_LIBRARY_FUNCTIONS_PATH } },
    });
    const backend = new FunctionsBackend({
      baseUrl: config.functionsBaseUrl(),
      token: () => 'flex-token',
      pauseBehavior: () => 'skip',
      dualChannelLeg: () => null,
    });
    const task = { sid: 'WR1', taskSid: 'WT1', conference: { conferenceSid: 'CF' + 'b'.repeat(32) } };
    try {
      expect((await backend.pause(task)).status).toBe('paused');
      expect((await backend.resume(task)).status).toBe('recording');
    } finally {
      srv.close();
    }
    expect(seen.map((s) => s.path)).toEqual(['/pause-recording/pause-conference-recording', '/pause-recording/resume-conference-recording']);
    expect(Object.fromEntries(new URLSearchParams(seen[1]?.body))).toEqual({
      conferenceSid: 'CF' + 'b'.repeat(32),
      recordingSid: 'RE' + 'a'.repeat(32),
      Token: 'flex-token',
    });
  });
});

describe('strings', () => {
  it('has the same keys in the desktop’s six locales', () => {
    expect(Object.keys(LOCALES).sort()).toEqual(['en-US', 'es-ES', 'es-MX', 'pt-BR', 'th', 'zh-Hans']);
    for (const table of Object.values(LOCALES)) expect(Object.keys(table).sort()).toEqual(Object.keys(enUS).sort());
  });

  it('picks the closest locale and falls back to en-US', () => {
    expect(stringsFor('pt-br').PSPauseRecordingTooltip).toBe(LOCALES['pt-BR']?.PSPauseRecordingTooltip);
    expect(stringsFor('es').PSPauseRecordingTooltip).toBe('Pausar grabación');
    expect(stringsFor('de-DE')).toBe(enUS);
  });

  it('switches its own strings with the language but keeps a customer’s text', () => {
    const strings: Record<string, string> = { PSNoRecording: 'Nothing is being recorded.' };
    addStrings(strings, 'en-US');
    addStrings(strings, 'th');
    expect(strings['PSPauseRecordingTooltip']).toBe(LOCALES['th']?.PSPauseRecordingTooltip);
    expect(strings['PSNoRecording']).toBe('Nothing is being recorded.');
  });
});
