import type { Clock } from "../clock";
import { parseNcrontab, type CronSchedule } from "./ncrontab";

export interface TimerJob {
  name: string;
  schedule: CronSchedule;
  runOnStartup: boolean;
}

export type FireTimer = (name: string, payload: TimerPayload) => Promise<void>;

/** The timer trigger's RPC payload (PascalCase, as the host sends it; the package camel-cases it). */
export interface TimerPayload {
  Schedule: { AdjustForDST: boolean };
  ScheduleStatus: { Last: string; Next: string; LastUpdated: string };
  IsPastDue: boolean;
}

/** Late by more than this and the invocation is "past due", as when the host was down at the scheduled time. */
const PAST_DUE_MS = 1000;

/**
 * Runs timer triggers on their NCRONTAB schedules against a Clock. With `auto`, real timeouts drive it;
 * otherwise only `runDue()` (called by a test after moving a manual clock) fires anything.
 */
export class TimerScheduler {
  private readonly next = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private handle: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobs: TimerJob[],
    private readonly clock: Clock,
    private readonly fire: FireTimer,
    private readonly auto: boolean,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    const now = this.clock.now();
    for (const job of this.jobs) this.next.set(job.name, job.schedule.next(now));
    for (const job of this.jobs.filter((j) => j.runOnStartup)) await this.invoke(job, now, false);
    this.arm();
  }

  /** Fires every job whose next occurrence has passed (once, even if several were missed: then it is past due). */
  async runDue(): Promise<void> {
    const run = this.running.then(async () => {
      const now = this.clock.now();
      for (const job of this.jobs) {
        const due = this.next.get(job.name)!;
        if (due > now) continue;
        this.next.set(job.name, job.schedule.next(now));
        await this.invoke(job, due, now - due > PAST_DUE_MS);
      }
    });
    this.running = run.catch(() => undefined);
    await run;
    this.arm();
  }

  /** Fires one job now, as the admin API does. */
  async fireNow(name: string): Promise<void> {
    const job = this.jobs.find((j) => j.name.toLowerCase() === name.toLowerCase());
    if (!job) throw new Error(`No timer function named ${name}.`);
    await this.invoke(job, this.clock.now(), false);
  }

  stop(): void {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
  }

  private async invoke(job: TimerJob, scheduledAt: number, isPastDue: boolean): Promise<void> {
    const now = this.clock.now();
    const payload: TimerPayload = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: new Date(this.last.get(job.name) ?? scheduledAt).toISOString(),
        Next: new Date(this.next.get(job.name) ?? job.schedule.next(now)).toISOString(),
        LastUpdated: new Date(now).toISOString(),
      },
      IsPastDue: isPastDue,
    };
    this.last.set(job.name, scheduledAt);
    try {
      await this.fire(job.name, payload);
    } catch (err) {
      // A failing timer function must not stop the schedule (the host logs and carries on).
      this.log(`timer ${job.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private arm(): void {
    if (!this.auto || this.stopped || this.jobs.length === 0) return;
    if (this.handle) clearTimeout(this.handle);
    const earliest = Math.min(...this.next.values());
    const delay = Math.max(0, Math.min(earliest - this.clock.now(), 60_000));
    this.handle = setTimeout(() => void this.runDue(), delay);
    this.handle.unref();
  }
}

export function timerJob(name: string, schedule: string, runOnStartup: boolean): TimerJob {
  return { name, schedule: parseNcrontab(schedule), runOnStartup };
}
