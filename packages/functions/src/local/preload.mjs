// Preloaded into twilio-run (`node --import`) by start.ts, and so into the processes it forks.
import net from 'node:net';

// twilio-run's `start` listens on every interface given only a port: a server asked for a bare
// port binds to loopback instead (FUNCTIONS_LISTEN_HOST overrides).
const host = process.env.FUNCTIONS_LISTEN_HOST || '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const port = args[0];
  const barePort = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
  if (barePort && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, host);
  return listen.apply(this, args);
};

// A launcher killed without its signal handlers running (kill -9, a crashed test worker) must not
// leave twilio-run serving: once the parent is gone (this process is re-parented), exit.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
