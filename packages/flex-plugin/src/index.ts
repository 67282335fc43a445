/**
 * The bundle's entry, as `flex-plugin-scripts build` makes it: hand the plugin class to Flex's
 * plugin loader, which calls `init(flex, manager)` when its turn comes.
 */
import PauseRecordingPlugin from './PauseRecordingPlugin.ts';

interface FlexGlobal {
  readonly Twilio?: { readonly Flex?: { readonly Plugins?: { init(plugin: unknown): void } } };
}

const loader = (globalThis as FlexGlobal).Twilio?.Flex?.Plugins;
if (loader === undefined) throw new Error('plugin-pause-recording must be loaded by Flex (Twilio.Flex.Plugins is missing)');
loader.init(PauseRecordingPlugin);
