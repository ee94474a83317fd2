import type { Bookkeeping, SweepKind, SweepReport } from "../ports/bookkeeping.port";
import { apiError, type ApiResponse } from "./http-api";

type Query = { get(name: string): string | null };

/** `kind` is review (default) or cleanup; anything else is the caller's mistake. */
function kindOf(query: Query): SweepKind | ApiResponse {
  const kind = query.get("kind") ?? "review";
  if (kind === "review" || kind === "cleanup") return kind;
  return apiError(400, "SWEEP_KIND_INVALID", "kind must be review or cleanup (default review).");
}

/** GET /api/sweeps/latest?kind=: the report of the latest sweep of that kind. */
export async function latestSweep(
  query: Query,
  bookkeeping: Pick<Bookkeeping, "getSweepReport">,
): Promise<ApiResponse> {
  const kind = kindOf(query);
  if (typeof kind !== "string") return kind;
  const report = await bookkeeping.getSweepReport(kind);
  if (!report) {
    return apiError(
      404,
      "NO_SWEEP_YET",
      `No ${kind} sweep has finished yet; it runs on its schedule (or POST /api/sweeps/dry-run).`,
    );
  }
  return { status: 200, jsonBody: report };
}

/** POST /api/sweeps/dry-run?kind=: what a sweep would do now, writing nothing. */
export async function sweepDryRun(query: Query, run: (kind: SweepKind) => Promise<SweepReport>): Promise<ApiResponse> {
  const kind = kindOf(query);
  if (typeof kind !== "string") return kind;
  return { status: 200, jsonBody: await run(kind) };
}
