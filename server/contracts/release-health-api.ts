import * as z from "zod/mini";
import { BANDS } from "../core/release-health-bands.ts";
import { ENVIRONMENTS } from "../core/types.ts";

/**
 * GET /api/release-health: DORA-style figures of the finished runs in a period, for one service
 * and environment or all. The query and the answer are declared here once; the route parses
 * the query and sends the answer, the page builds the query and parses the answer.
 */

/** The periods the page offers; `custom` takes `from` and `to` (UTC dates, both included). */
export const HEALTH_PERIODS = ["7d", "30d", "90d", "custom"] as const;
export type HealthPeriodChoice = (typeof HEALTH_PERIODS)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The query: every field optional (default: all services, both environments, the last 30 days). */
export const ZReleaseHealthQuery = z.object({
  service: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  environment: z.optional(z.enum(ENVIRONMENTS, { error: `Choose ${ENVIRONMENTS.join(" or ")}` })),
  period: z._default(z.enum(HEALTH_PERIODS, { error: `Choose one of ${HEALTH_PERIODS.join(", ")}` }), "30d"),
  from: z.optional(z.string().check(z.regex(DATE, "A date as YYYY-MM-DD"))),
  to: z.optional(z.string().check(z.regex(DATE, "A date as YYYY-MM-DD"))),
});
export type TReleaseHealthQuery = z.infer<typeof ZReleaseHealthQuery>;

const ZVerdict = z.union([z.object({ band: z.enum(BANDS), rule: z.string() }), z.object({ band: z.null(), why: z.string() })]);
export type WireBandVerdict = z.infer<typeof ZVerdict>;

/** The answer: the figures, the weeks the charts draw, and what the filters can choose from. */
export const ZReleaseHealth = z.object({
  /** the period as computed: [from, to) in ISO UTC, and its length in days */
  period: z.object({ choice: z.enum(HEALTH_PERIODS), from: z.string(), to: z.string(), days: z.number() }),
  service: z.nullable(z.object({ slug: z.string(), name: z.string() })),
  environment: z.nullable(z.enum(ENVIRONMENTS)),
  deployments: z.object({ count: z.int(), perDay: z.number(), perWeek: z.number(), verdict: ZVerdict }),
  leadTime: z.object({ measured: z.int(), withoutCommitTime: z.int(), medianMs: z.nullable(z.number()), p90Ms: z.nullable(z.number()), verdict: ZVerdict }),
  changeFailure: z.object({ changes: z.int(), failed: z.int(), rate: z.nullable(z.number()), notChanges: z.int(), verdict: ZVerdict }),
  restore: z.object({ restored: z.int(), notRestored: z.int(), medianMs: z.nullable(z.number()), p90Ms: z.nullable(z.number()), verdict: ZVerdict }),
  weeks: z.array(
    z.object({
      /** first instant of the week inside the period, ISO UTC */
      start: z.string(),
      days: z.number(),
      deployments: z.int(),
      leadTimeMedianMs: z.nullable(z.number()),
      changes: z.int(),
      failures: z.int(),
      failureRate: z.nullable(z.number()),
    }),
  ),
  services: z.array(z.object({ slug: z.string(), name: z.string() })),
});
export type ReleaseHealthView = z.infer<typeof ZReleaseHealth>;
export type ReleaseHealthWeek = ReleaseHealthView["weeks"][number];
