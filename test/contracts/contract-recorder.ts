import type { ArmExchange } from "../../sandbox";
import { ContractChecker } from "./contract-checker";

let shared: Promise<ContractChecker> | undefined;

/** One checker per test worker: loading and bundling the specs is the slow part. */
export function contractChecker(): Promise<ContractChecker> {
  shared ??= Promise.resolve().then(() => ContractChecker.load());
  return shared;
}

/**
 * Collects the ARM answers a sandbox gives during a suite; `assertAllowed` fails, naming each exchange, when one
 * is not what the vendored spec of its operation allows. Exchanges no vendored spec describes are counted only.
 */
export function contractRecorder() {
  const exchanges: ArmExchange[] = [];
  return {
    observe: (x: ArmExchange): void => {
      exchanges.push(x);
    },
    async assertAllowed(): Promise<{ checked: number; undescribed: number }> {
      const checker = await contractChecker();
      const failures: string[] = [];
      let checked = 0;
      let undescribed = 0;
      for (const x of exchanges) {
        const verdict = checker.check(x);
        if (!verdict.operation) {
          undescribed += 1;
          continue;
        }
        checked += 1;
        for (const p of verdict.problems)
          failures.push(`${x.method} ${x.path} → ${x.status}: ${p} (${verdict.operation})`);
      }
      exchanges.length = 0;
      if (failures.length > 0) {
        throw new Error(`The sandbox gave answers no Azure REST spec allows:\n${[...new Set(failures)].join("\n")}`);
      }
      return { checked, undescribed };
    },
  };
}
