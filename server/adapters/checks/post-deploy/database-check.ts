import { performance } from "node:perf_hooks";
import pg from "pg";
import type { CheckFinding } from "../../../engine/ports.ts";
import type { TDatabase } from "./config.ts";
import { CannotRunError } from "../check-io.ts";
import { errorCode } from "../../report-text.ts";
import { abortable, type ProbeIo } from "./probe.ts";

/** Connect and `SELECT 1` must both finish within this. */
export const DATABASE_TIMEOUT_MS = 5_000;

/** Turns the stored secret into the DSN; throws when it does not decrypt. */
export type DecryptSecret = (stored: string) => string;

// The DSN carries the password: it never reaches a log line or a finding. pg's error messages can
// quote the user, host or database, so only the error code is reported.
/**
 * Connects to the release's database and runs `SELECT 1` within 5 s. Failure is a high
 * "database unreachable" finding with the error code (ECONNREFUSED, 28P01, TIMEOUT, …).
 */
export async function checkDatabase(database: TDatabase, decrypt: DecryptSecret, io: ProbeIo): Promise<CheckFinding[]> {
  let dsn: string;
  if ("dsn" in database) {
    dsn = database.dsn;
  } else {
    try {
      dsn = decrypt(database.dsnEncrypted);
    } catch {
      await io.log("Database: the stored DSN could not be decrypted; the database was not checked");
      throw new CannotRunError("the stored database DSN could not be decrypted (was the session secret changed?)");
    }
  }

  await io.log("Database: connecting (DSN redacted) and running SELECT 1");
  const started = performance.now();
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: dsn, connectionTimeoutMillis: DATABASE_TIMEOUT_MS, query_timeout: DATABASE_TIMEOUT_MS });
  } catch (e) {
    // A DSN pg cannot parse; its message would quote the DSN.
    return [unreachable(errorCode(e, "INVALID_DSN"), 0)];
  }
  // A connection that breaks later emits 'error' on the client; without a listener it would crash the process.
  client.on("error", () => {});
  const timeout = AbortSignal.timeout(DATABASE_TIMEOUT_MS);
  try {
    await abortable(
      (async () => {
        await client.connect();
        await client.query("SELECT 1");
      })(),
      AbortSignal.any([io.signal, timeout]),
    );
    const ms = Math.round(performance.now() - started);
    await io.log(`Database: SELECT 1 answered in ${ms} ms`);
    return [];
  } catch (e) {
    if (io.signal.aborted) throw e;
    const ms = Math.round(performance.now() - started);
    const code = timeout.aborted ? "TIMEOUT" : errorCode(e);
    await io.log(`Database: unreachable (${code}) after ${ms} ms`);
    return [unreachable(code, ms)];
  } finally {
    void client.end().catch(() => {});
  }
}

function unreachable(code: string, ms: number): CheckFinding {
  return { severity: "high", message: "database unreachable", evidence: `error ${code} after ${ms} ms (connect + SELECT 1, limit ${DATABASE_TIMEOUT_MS} ms)` };
}
