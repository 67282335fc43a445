/**
 * jsdom setup for tests that load the real @twilio/flex-ui bundle: the browser APIs jsdom lacks,
 * and a network block. Nothing may leave the machine: fetch reaches loopback only (the real
 * control server and engine); every other fetch, every XHR and WebSocket is refused. Flex's two
 * known import-time asset fetches are refused and recorded; any other attempt fails the test.
 */
import Handlebars from 'handlebars';
import Module, { createRequire } from 'node:module';
import { afterEach, beforeEach, expect } from 'vitest';

// One React, as inside Flex: some of Flex's dependencies (react-jss, ...) are hoisted to the
// repository root, where the desktop's React 19 lives; route every `react`/`react-dom` require of
// this test process to the plugin's React 17.
const requireHere = createRequire(import.meta.url);
const REACT = /^(react|react-dom)(\/.*)?$/;
type Resolve = (this: unknown, request: string, ...rest: unknown[]) => string;
const originalResolve = Reflect.get(Module, '_resolveFilename') as Resolve;
let resolvingHere = false;
Reflect.set(Module, '_resolveFilename', function resolve(this: unknown, request: string, ...rest: unknown[]): string {
  if (!REACT.test(request) || resolvingHere) return originalResolve.call(this, request, ...rest);
  resolvingHere = true;
  try {
    return requireHere.resolve(request);
  } finally {
    resolvingHere = false;
  }
});

// The bundle calls the global Handlebars.compile for its templates.
Object.assign(globalThis, { Handlebars });
HTMLMediaElement.prototype.play = () => Promise.resolve();
HTMLMediaElement.prototype.pause = () => undefined;
if (typeof performance.mark !== 'function') performance.mark = () => ({}) as PerformanceMark;
if (typeof performance.measure !== 'function') performance.measure = () => ({}) as PerformanceMeasure;
class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver = NoResizeObserver;
window.matchMedia = (query: string): MediaQueryList =>
  ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  }) as MediaQueryList;

/** Flex fetches these from Twilio's asset host when its bundle loads (phone-number input data). */
export const FLEX_IMPORT_ASSETS = [/\/countries\.json$/, /\/flagPositions\.json$/];

export interface NetworkAttempt {
  readonly via: 'fetch' | 'xhr' | 'websocket';
  readonly url: string;
}

const attempts: NetworkAttempt[] = [];
/** Every request attempted since the test run began (all were refused). */
export function networkAttempts(): readonly NetworkAttempt[] {
  return attempts;
}

function urlOf(input: unknown): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (typeof input === 'object' && input !== null && 'url' in input && typeof input.url === 'string') return input.url;
  return String(input);
}

const loopbackFetch = globalThis.fetch.bind(globalThis);
function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}

globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const url = urlOf(input);
  if (isLoopback(url)) return loopbackFetch(input, init);
  attempts.push({ via: 'fetch', url });
  return Promise.reject(new TypeError(`network blocked in tests: ${url}`));
};
XMLHttpRequest.prototype.open = function open(this: XMLHttpRequest, _method: string, url: string | URL): void {
  attempts.push({ via: 'xhr', url: urlOf(url) });
  throw new DOMException(`network blocked in tests: ${urlOf(url)}`, 'NetworkError');
};
// The control server under test runs in this process and reaches the engine through the twilio
// SDK (axios), which picks its XHR adapter if XMLHttpRequest exists when it loads: load it while
// jsdom's XHR is hidden, so the server keeps Node's http (loopback) and the block below stays whole.
const jsdomXhr = globalThis.XMLHttpRequest;
Reflect.deleteProperty(globalThis, 'XMLHttpRequest');
await import('twilio');
globalThis.XMLHttpRequest = jsdomXhr;

class BlockedWebSocket {
  constructor(url: string | URL) {
    attempts.push({ via: 'websocket', url: urlOf(url) });
    throw new DOMException(`network blocked in tests: ${urlOf(url)}`, 'NetworkError');
  }
}
globalThis.WebSocket = BlockedWebSocket as unknown as typeof WebSocket;

let seen = 0;
beforeEach(() => {
  seen = attempts.length;
});
afterEach(() => {
  const during = attempts.slice(seen).filter((a) => !FLEX_IMPORT_ASSETS.some((re) => re.test(a.url)));
  expect(during, 'a test tried to reach the network').toEqual([]);
});
