/** The control-server backend against its contract: the real server and voice engine, with a server login and with the agent's Flex token. */
import { closedUrl, flexToken, liveTask, startRealSystem } from '../../../../test/support/real-system.ts';
import { backendContract } from './backend-contract.ts';
import { ServerBackend } from './ServerBackend.ts';

backendContract('control server (task API, server login)', async () => {
  const s = await startRealSystem();
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

// What real Flex sends: `manager.user.token`, validated by the server against IAM (the engine here).
backendContract("control server (task API, the agent's Flex token)", async () => {
  const s = await startRealSystem();
  const token = await flexToken(s, 'alice');
  // Placing and accepting the calls is the test harness's part (a server login); the plugin acts with the Flex token.
  const login = await s.login('alice');
  const down = await closedUrl();
  return {
    token,
    backend: (t) => new ServerBackend({ serverUrl: s.url, token: t, reconnectMs: 50 }),
    liveTask: () => liveTask(s, 'alice', login),
    unreachable: () => new ServerBackend({ serverUrl: down, token: () => token, reconnectMs: 50 }),
    close: () => s.close(),
  };
});
