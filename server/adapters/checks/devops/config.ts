import { z } from "zod";
import { ENVIRONMENTS } from "../../../core/types.ts";
import { ZAbsolutePath, ZHttpUrl } from "../config-fields.ts";

/** Backups older than this many hours break the policy (one nightly backup plus slack is typical). */
const ZMaxAgeHours = z.number().positive();

/** Where the last backup time comes from. Either way the answer is JSON `{ "lastBackupAt": ISO }` or plain ISO text. */
export const ZBackupSource = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("url"),
    /** GET this URL (5 s timeout) */
    url: ZHttpUrl,
    maxAgeHours: ZMaxAgeHours,
  }),
  z.strictObject({
    kind: z.literal("command"),
    /** program to run, without a shell, with a minimal environment; its stdout is parsed */
    command: z.string().min(1),
    /** its arguments; default none */
    args: z.array(z.string()).default([]),
    /** killed (with what it started) after this many ms; default 10 000 */
    timeoutMs: z.number().int().positive().max(300_000).default(10_000),
    maxAgeHours: ZMaxAgeHours,
  }),
]);
export type TBackupSource = z.infer<typeof ZBackupSource>;

/** The devops-engineer agent's configuration for one service and environment. */
export const ZDevopsConfig = z.strictObject({
  /** Kubernetes manifests: absolute files, or folders searched for *.yaml / *.yml (multi-document) */
  manifestPaths: z.array(ZAbsolutePath).min(1),
  /** environment the rules apply to (replicas ≥ 2 is high only in production); default: the run's */
  environment: z.enum(ENVIRONMENTS).optional(),
  /** source of the last backup time and the policy's maximum age; absent = not checked (info) */
  backup: ZBackupSource.optional(),
  /** Prometheus rule files or folders of them; absent = not checked (info) */
  alertRulePaths: z.array(ZAbsolutePath).min(1).optional(),
  /** the baseline's URL, which must still answer so a roll back has somewhere to go; absent = not checked (info) */
  rollbackTarget: z
    .object({
      url: ZHttpUrl,
      /** the HTTP status a healthy baseline answers; default 200 */
      expectStatus: z.number().int().min(100).max(599).default(200),
    })
    .optional(),
  /** a JSON flags file and the flags the release needs in it; absent = not checked (info) */
  featureFlags: z
    .object({
      path: ZAbsolutePath,
      required: z.array(z.string().min(1)).min(1),
    })
    .optional(),
});
export type TDevopsConfig = z.infer<typeof ZDevopsConfig>;
