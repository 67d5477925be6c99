import { z } from "zod";
import { ZAbsolutePath, ZHttpUrl } from "../config-fields.ts";

/** Latency and error-rate limits the service must hold under the load test. */
const ZLoadSla = z.strictObject({
  /** median latency limit in ms; absent = not judged */
  p50Ms: z.number().positive().optional(),
  /** 95th percentile latency limit in ms */
  p95Ms: z.number().positive(),
  /** 99th percentile latency limit in ms */
  p99Ms: z.number().positive(),
  /** share of failed requests allowed (non-2xx, connection errors, timeouts), 0–1; default 0.01 */
  maxErrorRate: z.number().min(0).max(1).default(0.01),
});

/** A load test against the staging deployment of the release. */
export const ZLoadTest = z.strictObject({
  /** the staging URL every request GETs */
  url: ZHttpUrl,
  /** concurrent connections; default 10 */
  connections: z.number().int().min(1).max(1_000).default(10),
  /** how long the load runs, in seconds; default 10, at most 300 */
  durationSeconds: z.number().positive().max(300).default(10),
  /** cap on requests per second over all connections; absent = as fast as the service answers */
  ratePerSecond: z.number().int().positive().optional(),
  /** a request without an answer after this many seconds counts as an error (timeout); default 10 */
  requestTimeoutSeconds: z.number().int().min(1).max(60).default(10),
  sla: ZLoadSla,
});
export type TLoadTest = z.infer<typeof ZLoadTest>;

/**
 * The service's resident memory, read from its Prometheus endpoint (`process_resident_memory_bytes`):
 * during the load test when one is configured, otherwise over a fixed window.
 */
export const ZMemory = z
  .object({
    /** Prometheus text endpoint of the service (e.g. http://staging:9100/metrics) */
    metricsUrl: ZHttpUrl,
    /** allowed growth from the first sample to the peak, in MiB */
    maxGrowthMb: z.number().positive().optional(),
    /** allowed growth from the first sample to the peak, in percent of the first sample */
    maxGrowthPercent: z.number().positive().optional(),
    /** without a load test: how long to watch the memory, in seconds; default 10 */
    windowSeconds: z.number().int().min(2).max(600).default(10),
  })
  .refine((m) => m.maxGrowthMb !== undefined || m.maxGrowthPercent !== undefined, "Give memory.maxGrowthMb or memory.maxGrowthPercent");
export type TMemory = z.infer<typeof ZMemory>;

/** Size budgets for the built front-end assets, in KiB (1,024 bytes) after compression. */
export const ZBundle = z.strictObject({
  /** the build output folder, walked recursively (symbolic links are not followed) */
  dir: ZAbsolutePath,
  budgets: z
    .object({
      /** all included files together, gzip level 9 */
      totalGzipKb: z.number().positive().optional(),
      /** all included files together, brotli quality 11 */
      totalBrotliKb: z.number().positive().optional(),
      /** any single file, gzip level 9 */
      maxFileGzipKb: z.number().positive().optional(),
    })
    .refine((b) => Object.values(b).some((v) => v !== undefined), "Give at least one budget"),
  /** file extensions measured, without the dot; default js, css, html, svg, json, wasm */
  include: z
    .array(z.string().regex(/^[a-z0-9]+$/i, "an extension without the dot, e.g. js"))
    .min(1)
    .default(["js", "css", "html", "svg", "json", "wasm"]),
});
export type TBundle = z.infer<typeof ZBundle>;

/**
 * The database pool against the database's connection limit. The pool values come either from
 * this configuration or from the service's own settings file (`settingsPath`, JSON or dotenv),
 * never both: the file is what ships, so it must not be shadowed by a copy that can drift.
 */
export const ZDatabasePool = z
  .object({
    /** the service's settings file (JSON with pool.max…, or dotenv with DATABASE_POOL_MAX…); replaces the pool fields below */
    settingsPath: ZAbsolutePath.optional(),
    /** connections one replica's pool may open */
    poolMax: z.number().int().min(1).optional(),
    /** connections one replica's pool keeps open; default none */
    poolMin: z.number().int().min(0).optional(),
    /** how long a query waits for a free connection before failing, in ms; absent = forever */
    connectionTimeoutMs: z.number().int().min(0).optional(),
    /** how long an idle connection stays open, in ms; absent = forever */
    idleTimeoutMs: z.number().int().min(0).optional(),
    /** replicas of the service in the environment */
    replicas: z.number().int().min(1),
    /** the database's max_connections */
    maxConnections: z.number().int().min(1),
    /** connections the database keeps for superusers and maintenance; default 3 (PostgreSQL's superuser_reserved_connections) */
    reservedConnections: z.number().int().min(0).default(3),
  })
  .refine((p) => (p.settingsPath === undefined) !== (p.poolMax === undefined), "Give databasePool.poolMax or databasePool.settingsPath (one of them)")
  .refine((p) => p.settingsPath === undefined || (p.poolMin ?? p.connectionTimeoutMs ?? p.idleTimeoutMs) === undefined, "With databasePool.settingsPath the pool values come from the file; remove poolMin, connectionTimeoutMs and idleTimeoutMs")
  .refine((p) => p.reservedConnections < p.maxConnections, "databasePool.reservedConnections must be below maxConnections");
export type TDatabasePool = z.infer<typeof ZDatabasePool>;

/** The systems-engineer agent's configuration for one service and environment. Every part is optional; absent = not checked (info). */
export const ZSystemsConfig = z.strictObject({
  loadTest: ZLoadTest.optional(),
  memory: ZMemory.optional(),
  bundle: ZBundle.optional(),
  databasePool: ZDatabasePool.optional(),
});
export type TSystemsConfig = z.infer<typeof ZSystemsConfig>;
