/**
 * The Functions backend against its contract. Its real target, the Functions under twilio-run
 * (packages/functions), does not exist yet: until then it runs against the control server's seed
 * routes, which serve the template's Function paths, form fields, Token and answers.
 */
import { closedUrl, flexToken, liveTask, startRealSystem } from '../../../../test/support/real-system.ts';
import { TEMPLATE_FUNCTIONS_PATH } from '../config/index.ts';
import { backendContract } from './backend-contract.ts';
import { FunctionsBackend } from './FunctionsBackend.ts';

backendContract('Twilio Functions (template paths, served by the seed routes)', async () => {
  const s = await startRealSystem();
  const serverToken = await s.login('alice');
  const make = (baseUrl: string, token: () => string) => new FunctionsBackend({ baseUrl, token, pauseBehavior: () => 'skip', dualChannelLeg: () => null });
  const unreachableBase = (await closedUrl()) + TEMPLATE_FUNCTIONS_PATH;
  return {
    token: await flexToken(s, 'alice'),
    backend: (token) => make(s.url + TEMPLATE_FUNCTIONS_PATH, token),
    liveTask: () => liveTask(s, 'alice', serverToken),
    unreachable: () => make(unreachableBase, () => 'x'),
    close: () => s.close(),
  };
});
