/**
 * At most `size` holders at once; the rest wait in arrival order. The host's maxConcurrentActivityFunctions and
 * maxConcurrentOrchestratorFunctions: without them a burst of instances runs all its work at once and every piece of
 * it slows down together.
 */
export class Slots {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.held < this.size) this.held++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot passes to us as it is freed
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    }
  }
}
