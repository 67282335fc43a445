import { hostname } from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProviderObserver } from '../provider/twilio-provider.ts';
import type { GrantCacheObserver } from '../taskrouter/grant-cache.ts';

/** Where the gauges read their figure at scrape time. */
export interface MetricSources {
  /** Pauses open now (in the ledger: every instance's, when they share one). */
  openPauses(): Promise<number>;
  /** Event streams (SSE) this instance holds open now. */
  sseClients(): number;
}

/** `hostname:pid`: tells two processes on one host apart. */
export const defaultInstanceId = (): string => `${hostname()}:${process.pid}`;

/**
 * What an operator watches (`GET /metrics`, Prometheus text format). One registry per server, so
 * several servers in one process (tests) keep apart; every series carries `instance`, so series
 * from several instances behind one load balancer stay apart after a federation or remote write
 * that drops the scrape target.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly changes: Counter<'action' | 'outcome'>;
  private readonly providerSeconds: Histogram<'method' | 'route'>;
  private readonly providerErrors: Counter<'method' | 'route' | 'status' | 'twilio_code'>;
  private readonly reminders: Counter;
  private readonly grantLookups: Counter<'result'>;
  private readonly grantDrops: Counter<'source'>;
  private readonly trEvents: Counter<'resource'>;

  constructor(instance: string, sources: MetricSources) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ instance });
    collectDefaultMetrics({ register: this.registry });
    this.changes = new Counter({
      name: 'pause_recording_changes_total',
      help: 'Pauses, resumes and auto-resumes of a task, by outcome (ok, partial, failed, unknown; noop: nothing to change)',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.providerSeconds = new Histogram({
      name: 'pause_recording_provider_request_duration_seconds',
      help: 'Each HTTP request to the Twilio API (or the engine), each retry attempt counted, by REST route',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.providerErrors = new Counter({
      name: 'pause_recording_provider_errors_total',
      help: 'Provider requests that failed: HTTP status >= 400, or the network error code when no answer came; with the Twilio error code',
      labelNames: ['method', 'route', 'status', 'twilio_code'],
      registers,
    });
    this.reminders = new Counter({ name: 'pause_recording_reminders_total', help: 'Reminders sent for long pauses', registers });
    this.grantLookups = new Counter({
      name: 'pause_recording_taskrouter_grant_cache_lookups_total',
      help: 'Authorizations looked up in the TaskRouter grant cache while it is on: hit (no TaskRouter read) or miss',
      labelNames: ['result'],
      registers,
    });
    this.grantDrops = new Counter({
      name: 'pause_recording_taskrouter_grant_cache_invalidations_total',
      help: "Cached TaskRouter grants dropped before their TTL: by a TaskRouter event, by this server's own TaskRouter write, or the cache turned off",
      labelNames: ['source'],
      registers,
    });
    this.trEvents = new Counter({
      name: 'pause_recording_taskrouter_events_total',
      help: 'TaskRouter workspace event callbacks received with a valid signature, by resource (task, reservation, worker, other)',
      labelNames: ['resource'],
      registers,
    });
    new Gauge({
      name: 'pause_recording_open_pauses',
      help: 'Pauses open now, as the ledger stores them',
      registers,
      async collect() {
        this.set(await sources.openPauses());
      },
    });
    new Gauge({
      name: 'pause_recording_sse_clients',
      help: 'Live event streams (server-sent events) open on this instance',
      registers,
      collect() {
        this.set(sources.sseClients());
      },
    });
  }

  /** A task's pause, resume or auto-resume settled with `outcome`. */
  change(action: 'pause' | 'resume' | 'auto-resume', outcome: string): void {
    this.changes.inc({ action, outcome });
  }

  reminder(): void {
    this.reminders.inc();
  }

  /** For the provider: times every request and counts the failed ones. */
  readonly provider: ProviderObserver = ({ method, route, seconds, status, twilioCode }) => {
    this.providerSeconds.observe({ method, route }, seconds);
    if (!/^[123]\d\d$/.test(status)) this.providerErrors.inc({ method, route, status, twilio_code: twilioCode });
  };

  /** For the grant cache (taskrouter/grant-cache.ts). */
  readonly grantCache: GrantCacheObserver = {
    lookup: (result) => this.grantLookups.inc({ result }),
    dropped: (source, entries) => this.grantDrops.inc({ source }, entries),
  };

  /** A signed TaskRouter event callback arrived. */
  taskRouterEvent(resource: string): void {
    this.trEvents.inc({ resource });
  }

  /** The figures of one counter by label value (tests wait on them; operators scrape /metrics). */
  async counts(name: 'grant-lookups' | 'grant-invalidations' | 'taskrouter-events'): Promise<Record<string, number>> {
    const c = name === 'grant-lookups' ? this.grantLookups : name === 'grant-invalidations' ? this.grantDrops : this.trEvents;
    const out: Record<string, number> = {};
    for (const v of (await c.get()).values) {
      const label = Object.entries(v.labels).find(([k]) => k !== 'instance')?.[1];
      out[String(label)] = v.value;
    }
    return out;
  }

  /** The text Prometheus scrapes, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
