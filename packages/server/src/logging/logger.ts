import { pino, type Logger, type DestinationStream } from 'pino';

/** Paths pino blanks out wherever they occur in a log line: credentials never reach the log. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'token',
  'Token',
  'authToken',
  'auth_token',
  'secret',
  '*.password',
  '*.token',
  '*.Token',
  '*.authToken',
  '*.auth_token',
  '*.secret',
  '*.headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const opts = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'server' } };
  return destination === undefined ? pino(opts) : pino(opts, destination);
}

export type { Logger };
