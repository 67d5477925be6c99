import pg from "pg";

/** The role the server's requests run as: it reads and writes rows and owns nothing. */
export const APP_ROLE = "flightdeck_app";

/**
 * Makes `APP_ROLE` exist with `password` and exactly the rights the running server needs, as
 * the owner of the schema, after migrations (so new tables are covered). Idempotent.
 *
 * Why: the server used to connect as the superuser, so whoever got hold of its connection
 * (a SQL injection, a leaked URL) could `DISABLE TRIGGER` on the audit table and rewrite the
 * record. As a non-owner the app role cannot alter or disable anything; on `audit_event` it may
 * only read and append, and the append-only trigger still guards everyone else. Migrations keep
 * running as the owner.
 */
export async function ensureAppRole(ownerUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    // Instances starting together: one creates the role, the others then find it.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('flightdeck_app_role'))");
    const { rowCount } = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [APP_ROLE]);
    const options = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
    const pw = client.escapeLiteral(password);
    await client.query(rowCount ? `ALTER ROLE ${APP_ROLE} WITH ${options} PASSWORD ${pw}` : `CREATE ROLE ${APP_ROLE} WITH ${options} PASSWORD ${pw}`);
    const { rows } = await client.query<{ db: string }>("SELECT current_database() AS db");
    const database = rows[0]?.db ?? "";
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(database)} TO ${APP_ROLE}`);
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    // The audit trail: read and append only. The migrations' bookkeeping: nothing.
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM ${APP_ROLE}`);
    // The chain head is written by the chain trigger alone (it runs as the owner): the app role
    // could otherwise point it elsewhere and make the next appends look like a break. Verify reads it.
    await client.query(`REVOKE ALL ON audit_chain_head FROM ${APP_ROLE}`);
    await client.query(`GRANT SELECT ON audit_chain_head TO ${APP_ROLE}`);
    await client.query(`REVOKE ALL ON _prisma_migrations FROM ${APP_ROLE}`);
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}

/** `url` with its user and password replaced by the app role's. */
export function appRoleUrl(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = encodeURIComponent(password);
  return url.toString();
}
