/** Who decided, in the words the description ARM shows in the portal carries. */
export interface DescribedDecision {
  verdict: "approve" | "reject";
  /** "policy:<ruleId>" when policy decided alone, else the person. */
  actor: string;
  /** A person's own words, shown to the consumer. */
  note?: string;
}

/**
 * The description ARM shows in the portal: who decided and under which policy version (pure: the orchestration and
 * the activity that writes a policy's verdict itself make the same text, which also tells a retry its own write).
 */
export function describeDecision(
  final: DescribedDecision,
  decision: { ruleId: string; policyVersion: string },
): string {
  const verb = final.verdict === "approve" ? "Approved" : "Rejected";
  const who = final.actor.startsWith("policy:")
    ? `by rule ${final.actor.slice("policy:".length)}`
    : `by ${final.actor} (rule ${decision.ruleId})`;
  // ARM caps the description; keep it short, and keep the approver's own words when there is room.
  const head = `${verb} ${who}`;
  const tail = ` (policy ${decision.policyVersion})`;
  const note = final.note ? `: ${final.note.replace(/\s+/g, " ").trim()}` : "";
  if (!note) return `${head}${tail}`.slice(0, 140);
  return `${head}${note}`.slice(0, 140);
}
