import type { CheckContext, CheckResult, CheckRunner, Notification, Notifier, RouteTarget, TrafficRouter } from "../engine/ports.ts";

/** In-memory router for tests: remembers weights; can be told to fail. */
export class MemoryRouter implements TrafficRouter {
  readonly weights = new Map<string, number>();
  failNext: string | null = null;
  async setWeight(target: RouteTarget, percent: number): Promise<void> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw new Error(error);
    }
    this.weights.set(target.runId, percent);
  }
  async verifyWeight(target: RouteTarget, percent: number): Promise<boolean> {
    return this.weights.get(target.runId) === percent;
  }
}

/** In-memory notifier for tests: collects what was sent. */
export class MemoryNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async notify(n: Notification): Promise<string[]> {
    this.sent.push(n);
    return ["memory"];
  }
}

/** A check runner for tests that answers from a script, optionally slowly and cancellably. */
export class ScriptedCheckRunner implements CheckRunner {
  readonly started: string[] = [];
  constructor(
    private readonly answer: (ctx: CheckContext) => CheckResult,
    private readonly delayMs = 0,
  ) {}
  async run(ctx: CheckContext): Promise<CheckResult> {
    this.started.push(`${ctx.runId}:${ctx.phase}:${ctx.agent}`);
    await ctx.progress(10);
    await ctx.log(`scripted ${ctx.agent} starting`);
    if (this.delayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.delayMs);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new Error("cancelled"));
        });
      });
    }
    await ctx.progress(100);
    return this.answer(ctx);
  }
}
