// A caller's request budget counted late: by the recipient limit's script, in the same Redis round trip as the
// recipient's hourly budget (src/limits/recipient-rate-limit.ts), rather than in a round trip of its own as the
// request arrives. What compiled creates (src/compiled-creates/) hand the create rule: one Redis round trip a
// create fewer. Counted as rate-limiter-flexible counts it, under its key, so that both paths share one budget.
// The create rule takes the recipient's budget before it writes anything: a create that never reached it wrote
// nothing, and its request budget is then counted alone (settle), its refusal still answerable as Yoga answers it.
import type { Verdict } from './rate-limiter.js';

export class DeferredRequestBudget {
  /** What it was counted at, once it was (by a script, or alone). */
  verdict: Verdict | undefined;

  constructor(
    /** Its Redis key (rate-limiter-flexible's), what one request may spend of it, and its window. */
    readonly key: string,
    readonly limit: number,
    readonly windowSeconds: number,
    /** Counts it on its own, rate-limiter-flexible's way (with its insurance while Redis is away). */
    private readonly countAlone: () => Promise<Verdict>,
  ) {}

  /** Records what a script counted it at: the milliseconds left of its window when past its limit. */
  record(refusedForMs: number | undefined): void {
    this.verdict =
      refusedForMs === undefined
        ? { allowed: true }
        : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(refusedForMs / 1000)) };
  }

  /** Its verdict: counted alone now unless it was counted already. */
  async settle(): Promise<Verdict> {
    this.verdict ??= await this.countAlone();
    return this.verdict;
  }

  get refused(): boolean {
    return this.verdict?.allowed === false;
  }
}

/** Thrown by the create rule when the request's budget refused it: nothing was counted or written. */
export class RequestBudgetRefused extends Error {
  constructor() {
    super('the request budget refused the create');
  }
}
