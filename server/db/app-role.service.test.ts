import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { APP_ROLE, appRoleUrl, ensureAppRole } from "./app-role.ts";

// The attack this closes: connected as the superuser, the server's connection could
// `DISABLE TRIGGER` on the audit table and then rewrite the record by hand.
const ownerUrl = inject("databaseUrl");
const password = "app-role-test-password";

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** The SQLSTATE a statement fails with, or "ok". */
async function outcome(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
    return "ok";
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

describe("the server's database role", () => {
  let owner: pg.Client;
  let app: pg.Client;

  beforeAll(async () => {
    await ensureAppRole(ownerUrl, password);
    await ensureAppRole(ownerUrl, password); // idempotent: a second start changes nothing
    owner = await connect(ownerUrl);
    app = await connect(appRoleUrl(ownerUrl, password));
  });
  afterAll(async () => {
    await app?.end();
    await owner?.end();
  });

  it("is not a superuser and owns nothing", async () => {
    const { rows } = await app.query<{ rolsuper: boolean; user: string }>("SELECT rolsuper, current_user AS user FROM pg_roles WHERE rolname = current_user");
    expect(rows[0]).toEqual({ rolsuper: false, user: APP_ROLE });
    const owned = await owner.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1", [APP_ROLE]);
    expect(owned.rowCount).toBe(0);
  });

  it("appends to and reads the audit trail but cannot disable its trigger, change, delete or truncate it", async () => {
    const inserted = await app.query<{ id: string }>(
      `INSERT INTO audit_event ("actorId", "actorName", "actorRole", action, summary) VALUES ('system', 'test', 'system', 'test.append', 'appended by the app role') RETURNING id`,
    );
    expect(inserted.rowCount).toBe(1);
    const id = inserted.rows[0]?.id;
    expect((await app.query("SELECT summary FROM audit_event WHERE id = $1", [id])).rows[0]).toEqual({ summary: "appended by the app role" });

    expect(await outcome(app, "ALTER TABLE audit_event DISABLE TRIGGER ALL")).toBe("42501"); // must be owner
    expect(await outcome(app, "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete")).toBe("42501");
    expect(await outcome(app, `UPDATE audit_event SET summary = 'rewritten' WHERE id = ${Number(id)}`)).toBe("42501");
    expect(await outcome(app, `DELETE FROM audit_event WHERE id = ${Number(id)}`)).toBe("42501");
    expect(await outcome(app, "TRUNCATE audit_event")).toBe("42501");
    expect(await outcome(app, "DROP TRIGGER audit_event_no_update_delete ON audit_event")).toBe("42501");
    expect((await owner.query("SELECT summary FROM audit_event WHERE id = $1", [id])).rows[0]).toEqual({ summary: "appended by the app role" });
  });

  it("appends chained entries (any prevHash or hash it sends is replaced) and reads but cannot change the chain head", async () => {
    const { rows } = await app.query<{ prevHash: string; hash: string }>(
      `INSERT INTO audit_event ("actorId", "actorName", "actorRole", action, summary, "prevHash", hash) VALUES ('system', 'test', 'system', 'test.append', 'forged hashes', 'forged', 'forged') RETURNING "prevHash", hash`,
    );
    expect(rows[0]?.prevHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await outcome(app, `UPDATE audit_chain_head SET "lastHash" = 'forged'`)).toBe("42501");
    expect(await outcome(app, "SELECT * FROM audit_chain_head")).toBe("ok"); // verify reads it
    expect(await outcome(app, "DELETE FROM audit_chain_head")).toBe("42501");
  });

  it("cannot create tables, touch the migrations' bookkeeping or make roles", async () => {
    expect(await outcome(app, "CREATE TABLE sneaky (x int)")).toBe("42501");
    expect(await outcome(app, "SELECT * FROM _prisma_migrations")).toBe("42501");
    expect(await outcome(app, "CREATE ROLE sneaky SUPERUSER")).toBe("42501");
  });

  it("reads and writes the rows the server works with", async () => {
    const { rows } = await app.query<{ n: number }>("SELECT count(*)::int AS n FROM release_run");
    expect(rows[0]?.n).toBeGreaterThanOrEqual(0);
    await app.query("BEGIN");
    try {
      const r = await app.query(`INSERT INTO sign_in_attempt (account, address, ok) VALUES ('role-test@example.com', '127.0.0.1', false) RETURNING id`);
      expect(r.rowCount).toBe(1); // the sequence behind it is usable too
      expect((await app.query("DELETE FROM sign_in_attempt WHERE account = 'role-test@example.com'")).rowCount).toBe(1);
    } finally {
      await app.query("ROLLBACK");
    }
  });

  it("is exactly the hole the owner still has (why the server no longer connects as it)", async () => {
    await owner.query("BEGIN");
    try {
      expect(await outcome(owner, "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete")).toBe("ok");
    } finally {
      await owner.query("ROLLBACK");
    }
  });
});
