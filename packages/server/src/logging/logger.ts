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

/** Blanks the values of query parameters that carry credentials (`?token=` of the SSE route). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|Token|access_token|password)=)[^&#]*/g, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const opts = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'server' },
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url ?? ''), host: req.host ?? req.hostname, remoteAddress: req.ip }),
    },
  };
  return destination === undefined ? pino(opts) : pino(opts, destination);
}

export type { Logger };
