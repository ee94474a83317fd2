import { DomainError } from "../errors";

const ISO_DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in an ISO-8601 duration of the form PnWnDTnHnMnS (no years or months: their length varies). */
export function durationToMs(iso: string): number {
  const m = typeof iso === "string" ? ISO_DURATION.exec(iso.trim()) : null;
  if (!m) {
    throw new DomainError(
      "DURATION_INVALID",
      `"${String(iso)}" is not an ISO-8601 duration; write it like PT48H, P2D or PT30M (no years or months).`,
    );
  }
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  return ((((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60 + n(s)) * 1000;
}
