import { z } from "zod";

/**
 * A fault injected into one demo service, so a user can watch a bad canary get rolled back.
 * Every field defaults to "no fault".
 */
export const ZFault = z.strictObject({
  /** Share of application requests answered with 500, 0–1. Default 0. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Delay added to application requests, in ms. Default 0. */
  latencyMs: z.number().min(0).max(60_000).default(0),
  /** `all`: every request is delayed; `tail`: about 10 % are, which moves p95/p99 but not p50. */
  latencyMode: z.enum(["all", "tail"]).default("all"),
  /** Memory the service allocates and keeps, in MB per minute (a leak). Default 0. */
  memoryMbPerMin: z.number().min(0).max(1_024).default(0),
  /**
   * Issue 15: only requests served this variant of the storefront's checkout flag fail or slow
   * down (a fault the new checkout alone shows). Memory growth is the
   * process's, whatever the variant. Absent: every request.
   */
  variant: z.string().min(1).max(64).optional(),
});

/** A fault as the service applies it (all fields present). */
export type TFault = z.infer<typeof ZFault>;
/** A fault as a caller writes it (omitted fields mean "none"). */
export type TFaultInput = z.input<typeof ZFault>;

/** No fault. */
export const NO_FAULT: TFault = ZFault.parse({});

/** Share of requests a `tail` latency fault delays. */
export const TAIL_SHARE = 0.1;
