import { pino, type Logger, type DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';

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

/** Query parameters whose values are credentials, compared after decoding, case-insensitively. */
const SECRET_PARAMS = new Set([
  'token',
  'access_token',
  'accesstoken',
  'auth_token',
  'authtoken',
  'password',
  'secret',
  'ticket',
  'signature',
  'api_key',
  'apikey',
]);

function decodedKey(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).trim().toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Blanks the values of query parameters that carry credentials. Works on the query as the server
 * parses it (keys percent-decoded), so `?%74oken=` is caught like `?token=`; a key that does not
 * decode is blanked too (fail closed).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = decodedKey(eq < 0 ? pair : pair.slice(0, eq));
      if (key !== null && !SECRET_PARAMS.has(key)) return pair;
      return `${eq < 0 ? pair : pair.slice(0, eq)}=[redacted]`;
    });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
}

/** Fastify's request lines, shortened: `req-1 POST /webhooks/voice` and `req-1 200 in 4 ms`. */
function humanMessage(log: Record<string, unknown>, messageKey: string): string {
  const id = typeof log['reqId'] === 'string' ? `${log['reqId']} ` : '';
  const req = log['req'] as LoggedRequest | undefined;
  const res = log['res'] as { statusCode?: number } | undefined;
  if (req !== undefined && log[messageKey] === 'incoming request') return `${id}${req.method ?? ''} ${req.url ?? ''}`;
  if (res !== undefined && typeof log['responseTime'] === 'number') return `${id}${res.statusCode ?? ''} in ${Math.round(log['responseTime'])} ms`;
  return `${id}${String(log[messageKey] ?? '')}`;
}

/**
 * `json`: one JSON object a line, for log collectors (`npm run server`, production).
 * `pretty`: one human line per entry (`npm start`), through pino-pretty in-process (no worker thread).
 */
export type LogFormat = 'json' | 'pretty';

export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const opts = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'server' },
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url ?? ''), host: req.host ?? req.hostname, remoteAddress: req.ip }),
    },
  };
  if (format === 'pretty') {
    // Redaction happens before the line reaches the prettifier, so it holds in both formats.
    const out = pinoPretty({
      destination: destination ?? 1,
      sync: true,
      colorize: destination === undefined && process.stdout.isTTY,
      translateTime: 'HH:MM:ss.l',
      ignore: 'pid,hostname,service,reqId,req,res,responseTime',
      singleLine: true,
      messageFormat: humanMessage,
    });
    return pino(opts, out);
  }
  return destination === undefined ? pino(opts) : pino(opts, destination);
}

export type { Logger };
