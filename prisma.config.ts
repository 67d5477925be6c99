import path from "node:path";
import pg from "pg";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// Prisma CLI configuration (this file is read by the CLI only, never by the app, so it may
// read process.env itself). Default DB for CLI runs. schema.prisma keeps `url = env("DATABASE_URL")` because
// Prisma 6 requires it; if it is unset, `prisma generate` fails to read the schema
// and falls back to downloading a query-engine binary (fails offline).
const databaseUrl = (process.env.DATABASE_URL ??= "postgresql://postgres:postgres@127.0.0.1:54329/flightdeck");
process.env.CHECKPOINT_DISABLE ??= "1";

// Workaround prisma/prisma#27403: the wasm schema engine introspects catalog columns
// of type `name` (OID 19) and "char" (OID 18), which @prisma/adapter-pg rejects as UnsupportedNativeDataType
// ("Column type 'name' could not be deserialized"). Report them as `text` (OID 25).
// Only applied in the Prisma CLI process (this file), not in the app runtime.
const R = pg.Result.prototype as unknown as {
  addFields: (f: Array<{ dataTypeID: number }>) => void;
  __nameFix?: boolean;
};
// 18 "char" -> 25 text, 19 name -> 25 text, 1002 "char"[] / 1003 name[] -> 1009 text[]
const OID_REMAP: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };
if (!R.__nameFix) {
  const orig = R.addFields;
  R.addFields = function (fields) {
    for (const f of fields) {
      const mapped = OID_REMAP[f.dataTypeID];
      if (mapped !== undefined) f.dataTypeID = mapped;
    }
    return orig.call(this, fields);
  };
  R.__nameFix = true;
}

// The wasm schema engine arms 10 s (advisory lock) and sometimes 60 s timers with
// setTimeout and never clears them, so `migrate dev` / `migrate deploy` linger 10-60 s
// after finishing.
// Unref such timers so the CLI exits as soon as its work is done.
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
  const t = realSetTimeout(fn, ms, ...rest);
  if ((ms ?? 0) >= 10_000) t.unref();
  return t;
}) as typeof setTimeout;

// Pass discrete fields, NOT { connectionString }: PrismaPg.connectToShadowDb() does
// new Pool({ ...config, database: shadowName }) and pg lets connectionString override
// `database`, so with a connectionString the "shadow" DB is really the main DB
// (=> `migrate dev` fails with "relation ... already exists").
function pgConfig(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    // the CLI never ends its pools; without this each command hangs ~10s+ on exit
    allowExitOnIdle: true,
  };
}

// Second bug in PrismaPg.connectToShadowDb(): its cleanup runs DROP DATABASE before
// closing the shadow pool => "database prisma_migrate_shadow_db_... is being accessed
// by other users". Close the shadow pool first, then DROP ... WITH (FORCE).
//
// Third: adapter-pg's executeScript() splits a migration on every ";" and runs the pieces one by
// one, which breaks any statement with a semicolon inside it (the PL/pgSQL body of the audit
// trail's append-only trigger). pg's simple-query protocol runs a whole multi-statement script
// in one round trip (and one implicit transaction), so send it unsplit.
type ScriptRunner = { executeScript: (s: string) => Promise<void>; underlyingDriver: () => unknown };
function runScriptsWhole<T extends ScriptRunner>(adapter: T): T {
  const driver = adapter.underlyingDriver() as { query: (sql: string) => Promise<unknown> };
  adapter.executeScript = async (script: string) => {
    await driver.query(script);
  };
  return adapter;
}

class PrismaPgMigrate extends PrismaPg {
  constructor(private readonly cfg: pg.PoolConfig) {
    super(cfg);
  }
  override async connect() {
    return runScriptsWhole(await super.connect());
  }
  override async connectToShadowDb() {
    const admin = await this.connect();
    const name = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = runScriptsWhole(await new PrismaPg({ ...this.cfg, database: name }).connect());
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  }
}

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPgMigrate(pgConfig(databaseUrl)),
});
