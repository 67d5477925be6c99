import { z } from "zod";
import type { RouteTarget, TrafficRouter } from "../../../engine/ports.ts";
import { assertWebhookEndpoint, postSignedJson, type WebhookEndpoint } from "./signed-post.ts";

/** Settings of a webhook router: the team's deploy-system endpoint and delivery limits. */
export type WebhookRouterOptions = WebhookEndpoint & {
  /** told why a verification counted as "not verified" (network, status, bad answer); default: nobody */
  onVerifyError?: (error: Error) => void;
};

/** What the receiver gets: the event, the run's route target, the weight and the signed timestamp. */
export type WebhookRouterEvent = RouteTarget & {
  /** `setWeight` asks the receiver to shift traffic; `verifyWeight` asks what it serves now */
  event: "setWeight" | "verifyWeight";
  /** percent of new requests for the canary, 0–100 */
  percent: number;
  /** unix seconds; equal to the x-flightdeck-timestamp header */
  timestamp: number;
};

// The receiver answers a verification with the canary percent it really serves.
const ZVerifyAnswer = z.object({ percent: z.number().min(0).max(100) });

/**
 * Routes traffic through a team's own deploy system: each weight change is a signed POST that the
 * receiver carries out before answering 2xx. The receiver must treat setWeight as idempotent,
 * since a retry after a lost answer repeats it (x-flightdeck-delivery is the same on every retry).
 */
export class WebhookRouter implements TrafficRouter {
  constructor(private readonly options: WebhookRouterOptions) {
    assertWebhookEndpoint(options);
  }

  async setWeight(target: RouteTarget, percent: number): Promise<void> {
    assertPercent(percent);
    await postSignedJson(this.options, "setWeight", (timestamp) => event("setWeight", target, percent, timestamp));
  }

  async verifyWeight(target: RouteTarget, percent: number): Promise<boolean> {
    try {
      const res = await postSignedJson(this.options, "verifyWeight", (timestamp) => event("verifyWeight", target, percent, timestamp));
      const answer = ZVerifyAnswer.safeParse(parseJson(res.body));
      if (!answer.success) throw new Error(`webhook verifyWeight: expected {"percent": 0–100}, got ${res.body.slice(0, 200)}`);
      return answer.data.percent === percent;
    } catch (e) {
      // "Not verified" is the port's answer to every failure; the reason goes to the log hook.
      this.options.onVerifyError?.(e instanceof Error ? e : new Error(String(e)));
      return false;
    }
  }
}

function event(kind: WebhookRouterEvent["event"], target: RouteTarget, percent: number, timestamp: number): WebhookRouterEvent {
  const { runId, service, environment, baseline, canary } = target;
  return { event: kind, runId, service, environment, baseline, canary, percent, timestamp };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function assertPercent(percent: number): void {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError(`canary percent must be 0–100, got ${percent}`);
}
