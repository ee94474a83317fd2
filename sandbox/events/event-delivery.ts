import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface DeliveryAttempt {
  at: string;
  status?: number;
  error?: string;
}

export interface DeliveryRecord {
  id: number;
  eventIds: string[];
  eventTypes: string[];
  subjects: string[];
  /** queued: no webhook configured; pending: retrying; delivered; dropped: gave up. */
  state: "queued" | "pending" | "delivered" | "dropped";
  attempts: DeliveryAttempt[];
  events: Record<string, unknown>[];
}

export interface DeliveryOptions {
  webhookUrl?: string;
  /** Send each batch this many times (duplicate delivery testing). */
  deliverEachEventTimes: number;
  /** Waits before retries 1..n; the length bounds the retries (Event Grid backs off too, on a longer scale). */
  retryDelaysMs: number[];
  attemptTimeoutMs: number;
  log: (line: string) => void;
}

const MAX_RECORDS = 2000;

/**
 * Delivers event batches as Event Grid does to a webhook: POST of a JSON array with `aeg-event-type: Notification`,
 * retried on non-2xx and timeouts with backoff, dropped at once on 400/413, dropped after the last retry.
 */
export class EventDelivery {
  private readonly records: DeliveryRecord[] = [];
  private nextId = 1;
  private inFlight = new Set<Promise<void>>();
  private stopped = false;
  /** Retry waits in progress; stop() ends them at once so idle() settles. */
  private readonly waits = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly options: DeliveryOptions) {}

  setWebhookUrl(url: string | undefined): void {
    this.options.webhookUrl = url;
    // Batches queued while no webhook was set go out now (Azure would not replay them; a local run that starts the
    // receiver after the sandbox wants them).
    for (const r of this.records) if (r.state === "queued" && url) this.track(this.run(r));
  }

  publish(events: Record<string, unknown>[]): void {
    if (events.length === 0) return;
    for (let copy = 0; copy < Math.max(1, this.options.deliverEachEventTimes); copy++) {
      const record: DeliveryRecord = {
        id: this.nextId++,
        eventIds: events.map((e) => String(e.id)),
        eventTypes: events.map((e) => String(e.eventType)),
        subjects: events.map((e) => String(e.subject)),
        state: "queued",
        attempts: [],
        events,
      };
      this.records.push(record);
      if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
      if (this.options.webhookUrl) this.track(this.run(record));
    }
  }

  list(): DeliveryRecord[] {
    return this.records.map((r) => ({ ...r, attempts: [...r.attempts] }));
  }

  /** Resolves when nothing is being delivered or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
    for (const [timer, resolve] of this.waits) {
      clearTimeout(timer);
      resolve();
    }
    this.waits.clear();
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async run(record: DeliveryRecord): Promise<void> {
    record.state = "pending";
    const delays = this.options.retryDelaysMs;
    for (let attempt = 0; attempt <= delays.length && !this.stopped; attempt++) {
      if (attempt > 0) await this.wait(delays[attempt - 1]!);
      if (this.stopped) break;
      const url = this.options.webhookUrl;
      if (!url) {
        record.state = "queued";
        return;
      }
      const result = await this.post(url, record, attempt + 1);
      record.attempts.push(result);
      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        record.state = "delivered";
        return;
      }
      if (result.status === 400 || result.status === 413) break;
    }
    record.state = "dropped";
    this.options.log(`event delivery ${record.id} dropped after ${record.attempts.length} attempt(s)`);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, ms);
      this.waits.set(timer, resolve);
    });
  }

  private post(url: string, record: DeliveryRecord, deliveryCount: number): Promise<DeliveryAttempt> {
    const at = new Date().toISOString();
    const body = JSON.stringify(record.events);
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ at, error: "invalid webhook URL" });
        return;
      }
      const send = target.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(
        target,
        {
          method: "POST",
          timeout: this.options.attemptTimeoutMs,
          headers: {
            "content-type": "application/json; charset=utf-8",
            "content-length": Buffer.byteLength(body),
            "aeg-event-type": "Notification",
            "aeg-subscription-name": "PLAUTOPILOT-RESOURCE-EVENTS",
            "aeg-delivery-count": String(deliveryCount - 1),
            "aeg-data-version": "2",
            "aeg-metadata-version": "1",
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ at, status: res.statusCode }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (err) => resolve({ at, error: err.message }));
      req.end(body);
    });
  }
}
