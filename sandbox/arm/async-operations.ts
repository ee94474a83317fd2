import { randomUUID } from "node:crypto";

interface Operation {
  id: string;
  status: "InProgress" | "Succeeded";
  startTime: string;
  endTime?: string;
  /** Polls answered InProgress before the operation settles. */
  pollsBeforeDone: number;
  onDone: () => void;
}

/** Long-running operations behind Azure-AsyncOperation URLs: InProgress on the first poll, then Succeeded. */
export class AsyncOperations {
  private readonly ops = new Map<string, Operation>();

  start(now: Date, onDone: () => void, pollsBeforeDone = 1): string {
    const id = randomUUID();
    this.ops.set(id, { id, status: "InProgress", startTime: now.toISOString(), pollsBeforeDone, onDone });
    return id;
  }

  /** The operation's status body, as the PostgreSQL and SQL providers answer; undefined if unknown. */
  poll(id: string, now: Date): Record<string, unknown> | undefined {
    const op = this.ops.get(id.toLowerCase()) ?? this.ops.get(id);
    if (!op) return undefined;
    if (op.status === "InProgress") {
      if (op.pollsBeforeDone > 0) op.pollsBeforeDone -= 1;
      else this.finish(op, now);
    }
    return {
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
    };
  }

  /** Settles every open operation: used when a reader should see the end state without polling. */
  settleAll(now: Date): void {
    for (const op of this.ops.values()) if (op.status === "InProgress") this.finish(op, now);
  }

  private finish(op: Operation, now: Date): void {
    op.status = "Succeeded";
    op.endTime = now.toISOString();
    op.onDone();
  }
}
