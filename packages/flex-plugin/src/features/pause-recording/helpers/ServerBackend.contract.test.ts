/** The control-server backend against its contract: the real server and voice engine. */
import { closedUrl, liveTask, startRealSystem } from '../../../../test/support/real-system.ts';
import { backendContract } from './backend-contract.ts';
import { ServerBackend } from './ServerBackend.ts';

backendContract('control server (task API)', async () => {
  const s = await startRealSystem();
  // The server's /api accepts only its own bearer tokens today (not yet a Flex token).
  const token = await s.login('alice');
  const down = await closedUrl();
  return {
    token,
    backend: (t) => new ServerBackend({ serverUrl: s.url, token: t, reconnectMs: 50 }),
    liveTask: () => liveTask(s, 'alice', token),
    unreachable: () => new ServerBackend({ serverUrl: down, token: () => token, reconnectMs: 50 }),
    close: () => s.close(),
  };
});
