/**
 * The Functions backend against its contract: the real Functions (packages/functions) under the
 * real `twilio-run start`, against the voice engine the control server also drives (the server
 * only places and accepts the calls and reports the truth of the recordings).
 */
import { startRealSystemWithFunctions } from '../../../../test/support/functions-system.ts';
import { closedUrl, flexToken, liveTask } from '../../../../test/support/real-system.ts';
import { PLUGIN_LIBRARY_FUNCTIONS_PATH, TEMPLATE_FUNCTIONS_PATH } from '../config/index.ts';
import { backendContract } from './backend-contract.ts';
import { FunctionsBackend } from './FunctionsBackend.ts';

for (const [name, path] of [
  ['template paths', TEMPLATE_FUNCTIONS_PATH],
  ['Plugin Library paths', PLUGIN_LIBRARY_FUNCTIONS_PATH],
] as const) {
  backendContract(`Twilio Functions under twilio-run (${name})`, async () => {
    const { s, fns, close } = await startRealSystemWithFunctions();
    const serverToken = await s.login('alice');
    const make = (baseUrl: string, token: () => string) => new FunctionsBackend({ baseUrl, token, pauseBehavior: () => 'skip', dualChannelLeg: () => null });
    const unreachableBase = (await closedUrl()) + path;
    return {
      token: await flexToken(s, 'alice'),
      backend: (token) => make(fns.url + path, token),
      liveTask: () => liveTask(s, 'alice', serverToken),
      unreachable: () => make(unreachableBase, () => 'x'),
      close,
    };
  });
}
