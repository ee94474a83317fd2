/**
 * NCRONTAB six-field schedules as Azure Functions timers use them:
 * `{second} {minute} {hour} {day} {month} {day-of-week}`, evaluated in UTC.
 * Fields take `*`, numbers, ranges `a-b`, steps `* /n` or `a-b/n`, lists `a,b`, and month/day names.
 * Day and day-of-week must both match (NCrontab's rule, unlike classic cron's "either").
 */

export interface CronSchedule {
  expression: string;
  next(afterMs: number): number;
}

export class CronError extends Error {}

const FIELDS = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day-of-week", min: 0, max: 6 },
] as const;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

export function parseNcrontab(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new CronError(
      `Schedule "${expression}" has ${parts.length} fields; use six NCRONTAB fields "{second} {minute} {hour} {day} {month} {day-of-week}", e.g. "0 */5 * * * *".`,
    );
  }
  const [second, minute, hour, day, month, dayOfWeek] = parts.map((p, i) => parseField(p, i, expression));
  const fields: CronFields = {
    second: second!,
    minute: minute!,
    hour: hour!,
    day: day!,
    month: month!,
    dayOfWeek: dayOfWeek!,
  };
  return { expression, next: (afterMs) => nextOccurrence(afterMs, fields, expression) };
}

/** The values each field allows. */
interface CronFields {
  second: Set<number>;
  minute: Set<number>;
  hour: Set<number>;
  day: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
}

function parseField(text: string, index: number, expression: string): Set<number> {
  const field = FIELDS[index]!;
  const out = new Set<number>();
  for (const item of text.split(",")) {
    const [rangeText, stepText] = item.split("/");
    const step = stepText === undefined ? 1 : toInt(stepText);
    if (!Number.isInteger(step) || step <= 0) fail();
    let lo: number = field.min;
    let hi: number = field.max;
    if (rangeText !== "*") {
      const bounds = rangeText!.split("-");
      if (bounds.length > 2) fail();
      lo = value(bounds[0]!);
      hi = bounds.length === 2 ? value(bounds[1]!) : stepText === undefined ? lo : field.max;
    }
    if (lo > hi || lo < field.min || hi > field.max) fail();
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;

  function value(s: string): number {
    const lower = s.toLowerCase();
    if (index === 4 && MONTHS.includes(lower)) return MONTHS.indexOf(lower) + 1;
    if (index === 5 && DAYS.includes(lower)) return DAYS.indexOf(lower);
    const n = toInt(s);
    if (index === 5 && n === 7) return 0;
    return n;
  }
  function fail(): never {
    throw new CronError(
      `Schedule "${expression}": the ${field.name} field "${text}" is not valid (allowed ${field.min}-${field.max}, *, a-b, */n, lists).`,
    );
  }
}

function toInt(s: string): number {
  return /^\d+$/.test(s) ? Number(s) : NaN;
}

/** Walks forward from the next whole second, skipping a whole month, day, hour or minute when that field misses. */
function nextOccurrence(afterMs: number, f: CronFields, expression: string): number {
  const d = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
  const limit = afterMs + 5 * 366 * 86_400_000;
  while (d.getTime() <= limit) {
    if (!f.month.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!f.day.has(d.getUTCDate()) || !f.dayOfWeek.has(d.getUTCDay())) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!f.hour.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!f.minute.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!f.second.has(d.getUTCSeconds())) {
      d.setUTCSeconds(d.getUTCSeconds() + 1, 0);
      continue;
    }
    return d.getTime();
  }
  throw new CronError(`Schedule "${expression}" never fires within five years.`);
}
