/** Counts the HTTP requests to Azure that a piece of work makes (the sweep reports its ARM calls). */
export interface CallMeter {
  measure<T>(work: () => Promise<T>): Promise<{ value: T; calls: number }>;
}

/** For tests and places that do not count. */
export const NO_CALL_METER: CallMeter = {
  async measure(work) {
    return { value: await work(), calls: 0 };
  },
};
