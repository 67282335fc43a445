// Preloaded into twilio-run (`node --import`): its `start` listens on every interface given only a port.
// A server asked for a bare port binds to loopback instead (FUNCTIONS_LISTEN_HOST overrides).
import net from 'node:net';

const host = process.env.FUNCTIONS_LISTEN_HOST || '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const port = args[0];
  const barePort = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
  if (barePort && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, host);
  return listen.apply(this, args);
};
