import type { CustomData, DualChannelRecordingConfig, PauseRecordingConfig } from '../types/ServiceConfiguration.ts';

/** The slice of Flex's Manager the configuration is read from. */
export interface ConfigSource {
  readonly configuration?: { readonly custom_data?: unknown; readonly language?: string };
  readonly serviceConfiguration?: { readonly ui_attributes?: unknown };
  readonly workerClient?: { readonly attributes?: Record<string, unknown> } | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `custom_data` as the template reads it: the UI configuration's `custom_data` (Flex merges
 * `ui_attributes` into `manager.configuration`), falling back to the service configuration's
 * `ui_attributes.custom_data`, with the worker's `config_overrides` on top of each feature.
 */
export function readCustomData(source: ConfigSource): CustomData {
  const fromConfig = source.configuration?.custom_data;
  const ui = source.serviceConfiguration?.ui_attributes;
  const global = isObject(fromConfig) ? fromConfig : isObject(ui) && isObject(ui['custom_data']) ? ui['custom_data'] : {};
  const overrides = source.workerClient?.attributes?.['config_overrides'];
  if (!isObject(overrides)) return global as CustomData;
  const features: Record<string, unknown> = { ...(isObject(global['features']) ? global['features'] : {}) };
  if (isObject(overrides['features'])) {
    for (const [name, value] of Object.entries(overrides['features'])) {
      const base = features[name];
      features[name] = isObject(base) && isObject(value) ? { ...base, ...value } : value;
    }
  }
  return { ...global, ...overrides, features } as CustomData;
}

export const TEMPLATE_FUNCTIONS_PATH = '/features/pause-recording/flex';
export const PLUGIN_LIBRARY_FUNCTIONS_PATH = '/pause-recording';

/** The feature's configuration with the template's accessor names and defaults (all off). */
export class FeatureConfig {
  readonly pauseRecording: PauseRecordingConfig;
  readonly dualChannel: DualChannelRecordingConfig;

  constructor(readonly customData: CustomData) {
    const p = customData.features?.pause_recording;
    const d = customData.features?.dual_channel_recording;
    this.pauseRecording = isObject(p) ? p : {};
    this.dualChannel = isObject(d) ? d : {};
  }

  isFeatureEnabled(): boolean {
    return this.pauseRecording.enabled === true;
  }

  isBannerIndicatorEnabled(): boolean {
    return this.isFeatureEnabled() && this.pauseRecording.indicator_banner === true;
  }

  isPermanentIndicatorEnabled(): boolean {
    return this.isFeatureEnabled() && this.pauseRecording.indicator_permanent === true;
  }

  isIncludeSilenceEnabled(): boolean {
    return this.isFeatureEnabled() && this.pauseRecording.include_silence === true;
  }

  pauseBehavior(): 'silence' | 'skip' {
    return this.isIncludeSilenceEnabled() ? 'silence' : 'skip';
  }

  isDualChannelEnabled(): boolean {
    return this.dualChannel.enabled === true;
  }

  dualChannelLeg(): 'customer' | 'worker' {
    return this.dualChannel.channel === 'customer' ? 'customer' : 'worker';
  }

  backend(): 'functions' | 'server' {
    return this.pauseRecording.backend === 'server' ? 'server' : 'functions';
  }

  /** The Functions' base URL, as the template's ApiService builds it. */
  functionsBaseUrl(): string {
    const domain = this.customData.serverless_functions_domain ?? '';
    const protocol = this.customData.serverless_functions_protocol ?? 'https';
    const port = this.customData.serverless_functions_port;
    const path = this.pauseRecording.functions_path ?? TEMPLATE_FUNCTIONS_PATH;
    return `${protocol}://${domain}${port ? `:${port}` : ''}${path.replace(/\/$/, '')}`;
  }

  /** Problems that keep the feature from working, named by key (empty when fine). */
  problems(): string[] {
    if (!this.isFeatureEnabled()) return [];
    const out: string[] = [];
    const b = this.pauseRecording.backend;
    if (b !== undefined && b !== 'functions' && b !== 'server')
      out.push(`features.pause_recording.backend: must be functions or server, got ${JSON.stringify(b)}`);
    if (this.backend() === 'server' && !/^https?:\/\/[^/]+/.test(this.pauseRecording.server_url ?? '')) {
      out.push('features.pause_recording.server_url: must be an http(s) URL when backend is server');
    }
    if (this.backend() === 'functions' && !this.customData.serverless_functions_domain) {
      out.push('serverless_functions_domain: must name the Functions service when backend is functions');
    }
    return out;
  }
}
