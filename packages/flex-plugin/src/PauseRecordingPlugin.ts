import type * as Flex from '@twilio/flex-ui';
import { addPauseRecording, type FlexApi, type PauseRecordingHandle } from './features/pause-recording/index.ts';

export const PLUGIN_NAME = 'PauseRecordingPlugin';
export const PLUGIN_VERSION = '0.1.0';

/** The Flex plugin: Flex's loader constructs it and calls `init(flex, manager)`. */
export default class PauseRecordingPlugin {
  readonly name = PLUGIN_NAME;
  readonly version = PLUGIN_VERSION;
  /** What init added (null when the feature is disabled or misconfigured). */
  handle: PauseRecordingHandle | null = null;

  init(flex: FlexApi, manager: Flex.Manager): void {
    this.handle = addPauseRecording(flex, manager);
  }
}
