import * as z from "zod/mini";
import { ZRunState } from "../db/run-state-schema.ts";

/**
 * GET /api/share/:token — what a read-only link shows, for the shared page (no account). A run
 * without logs, findings, audit trail or configuration (server/services/share-links.ts
 * `toSharedRun`); for a service link, its latest releases and optionally one of them.
 */
export const ZSharedRun = z.object({
  id: z.string(),
  number: z.int(),
  service: z.object({ name: z.string() }),
  environment: z.string(),
  createdAt: z.string(),
  serverNow: z.number(),
  state: ZRunState,
  decisions: z.array(
    z.object({ id: z.string(), at: z.string(), stepIndex: z.nullable(z.number()), trigger: z.string(), verdict: z.string(), reason: z.string(), evidence: z.record(z.string(), z.unknown()) }),
  ),
  rollback: z.nullable(z.object({ reason: z.string(), requestedBy: z.string(), status: z.string(), startedAt: z.string(), finishedAt: z.nullable(z.string()) })),
});
export type SharedRun = z.infer<typeof ZSharedRun>;

export const ZSharedRunListItem = z.object({
  id: z.string(),
  number: z.int(),
  environment: z.string(),
  baselineVersion: z.string(),
  targetVersion: z.string(),
  status: z.string(),
  createdAt: z.string(),
  finishedAt: z.nullable(z.string()),
});

export const ZSharedTarget = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("run"), expiresAt: z.string(), run: ZSharedRun, runs: z.array(ZSharedRunListItem) }),
  z.object({ kind: z.literal("service"), serviceName: z.string(), expiresAt: z.string(), run: z.nullable(ZSharedRun), runs: z.array(ZSharedRunListItem) }),
]);
export type SharedTarget = z.infer<typeof ZSharedTarget>;
