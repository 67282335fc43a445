/**
 * `ui_attributes.custom_data.features.pause_recording`, the flex-project-template's shape, plus
 * this plugin's backend choice. Every template key keeps its meaning and default.
 */
export interface PauseRecordingConfig {
  readonly enabled?: boolean;
  /** Show a notification when the recording is paused or resumed. */
  readonly indicator_banner?: boolean;
  /** Show "Call Recording Paused" in the task canvas header while paused. */
  readonly indicator_permanent?: boolean;
  /** Pause with `pauseBehavior=silence` (silence is recorded) instead of `skip`. */
  readonly include_silence?: boolean;
  /** `functions` (default, as the template) or `server` (this project's control server). */
  readonly backend?: 'functions' | 'server';
  /** The control server's base URL, e.g. `https://recording.example.com`; required for `server`. */
  readonly server_url?: string;
  /** Where the Functions live: the template's `/features/pause-recording/flex` (default) or the Plugin Library's `/pause-recording`. */
  readonly functions_path?: string;
}

export interface DualChannelRecordingConfig {
  readonly enabled?: boolean;
  readonly channel?: 'customer' | 'worker';
}

/** The parts of `custom_data` the feature reads (the template's names). */
export interface CustomData {
  readonly serverless_functions_domain?: string;
  readonly serverless_functions_protocol?: string;
  readonly serverless_functions_port?: string;
  readonly language?: string;
  readonly features?: {
    readonly pause_recording?: PauseRecordingConfig;
    readonly dual_channel_recording?: DualChannelRecordingConfig;
    readonly [feature: string]: unknown;
  };
}
