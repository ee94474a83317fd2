/**
 * At most `size` holders at once; the rest wait in arrival order. The host's maxConcurrentActivityFunctions and
 * maxConcurrentOrchestratorFunctions: without them a burst of instances runs all its work at once and every piece of
 * it slows down together.
 */
export class Slots {
  private held = 0;
  /** Waiters from `head` on: a sweep queues thousands, and shifting a long array moves all of it each time. */
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.held < this.size) this.held++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot passes to us as it is freed
    try {
      return await work();
    } finally {
      const next = this.waiting[this.head];
      if (next) {
        this.waiting[this.head++] = undefined as never;
        if (this.head > 1024 && this.head * 2 > this.waiting.length) {
          this.waiting = this.waiting.slice(this.head);
          this.head = 0;
        }
        next();
      } else this.held--;
    }
  }
}
