import { randomBytes } from "node:crypto";
import os from "node:os";
import { Option, type Command } from "commander";
import { ZodError } from "zod";
import { ENVIRONMENTS, ROLES } from "../../server/core/types.ts";
import { CliError } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { EXIT, type ExitCode } from "../exit-codes.ts";

/**
 * `flightdeck admin …`: bootstrapping on the server's machine, straight on its database (no
 * token needed, none exists yet). Audited as the operating-system user who ran it. The secret
 * goes to stdout alone (`TOKEN=$(npx flightdeck admin token create …)`), the explanation to stderr.
 */

type Action = (ctx: CliContext) => Promise<ExitCode>;
type Runner = (command: Command, action: Action) => Promise<void>;

const API_TOKEN_SCOPES = ["runs:read", "runs:write", "metrics:write", "signals:write"] as const;

/** The service layer's refusals (AppError, zod) as the CLI's: what is wrong, per field. */
function refusal(e: unknown, flags: Record<string, string>): never {
  if (e instanceof ZodError) {
    throw new CliError(`Nothing was created:\n${e.issues.map((i) => `  ${flags[String(i.path[0])] ?? i.path.join(".")}: ${i.message}`).join("\n")}`);
  }
  const app = e as { name?: string; userMessage?: string; fieldErrors?: Record<string, string[]> };
  if (e instanceof Error && typeof app.userMessage === "string") {
    const fields = Object.entries(app.fieldErrors ?? {}).flatMap(([f, ms]) => ms.map((m) => `  ${flags[f] ?? f}: ${m}`));
    throw new CliError(`Nothing was created: ${app.userMessage}${fields.length ? `\n${fields.join("\n")}` : ""}`);
  }
  throw e;
}

const actorName = (ctx: CliContext) => {
  try {
    return os.userInfo().username;
  } catch {
    return ctx.env.USER ?? "unknown";
  }
};

type TokenOptions = { name?: string; role?: string; scope: string[]; service: string[]; environment: string[] };

const createToken: (o: TokenOptions) => Action = (o) => async (ctx) => {
  if (!o.name) throw new CliError('admin token create needs --name (e.g. --name ci): the token\'s name in Settings and the audit trail.');
  const { withServerDatabase } = await import("../admin-db.ts");
  const { createApiToken, localAdminActor } = await import("../../server/services/api-tokens.ts");
  const created = await withServerDatabase(ctx.err, (db) =>
    createApiToken(db, localAdminActor(actorName(ctx)), {
      name: o.name ?? "",
      ...(o.scope.length ? { scopes: o.scope as (typeof API_TOKEN_SCOPES)[number][] } : {}),
      ...(o.role ? { role: o.role as (typeof ROLES)[number] } : {}),
      services: o.service,
      environments: o.environment as (typeof ENVIRONMENTS)[number][],
    }).catch((e: unknown) => refusal(e, { name: "--name", scopes: "--scope", role: "--role", services: "--service", environments: "--environment" })),
  );
  if (ctx.mode() === "json") {
    ctx.out(JSON.stringify(created, null, 2));
    return EXIT.ok;
  }
  const limits = [created.services.length ? `only ${created.services.join(", ")}` : "every service", created.environments.length ? `only ${created.environments.join(", ")}` : "both environments"];
  ctx.err(`Created API token "${created.name}": ${created.scopes.join(", ")}; acts as role ${created.role}; ${limits.join(", ")}. Audited.`);
  ctx.err("This is the only time it is shown (Flightdeck keeps its hash). Set it as FLIGHTDECK_TOKEN, e.g. a CI secret:");
  ctx.out(created.token);
  return EXIT.ok;
};

type UserOptions = { email?: string; name?: string; role?: string; password?: string };

const createUserAction: (o: UserOptions) => Action = (o) => async (ctx) => {
  const missing = (["email", "name", "role"] as const).filter((k) => !o[k]).map((k) => `--${k}`);
  if (missing.length) throw new CliError(`admin user create needs --email, --name and --role; missing ${missing.join(", ")}.`);
  const generated = o.password === undefined;
  const password = o.password ?? randomBytes(15).toString("base64url");
  const { withServerDatabase } = await import("../admin-db.ts");
  const { localAdminActor } = await import("../../server/services/api-tokens.ts");
  const { createUser } = await import("../../server/services/users.ts");
  const { ZCreateUserInput } = await import("../../server/services/schemas.ts");
  const flags = { email: "--email", name: "--name", role: "--role", password: "--password" };
  const parsed = ZCreateUserInput.safeParse({ email: o.email, name: o.name, role: o.role, password });
  if (!parsed.success) refusal(parsed.error, flags);
  const { id } = await withServerDatabase(ctx.err, (db) => createUser(db, localAdminActor(actorName(ctx)), parsed.data).catch((e: unknown) => refusal(e, flags)));
  if (ctx.mode() === "json") {
    ctx.out(JSON.stringify({ id, email: parsed.data.email.toLowerCase(), name: parsed.data.name, role: parsed.data.role, ...(generated ? { password } : {}) }, null, 2));
    return EXIT.ok;
  }
  ctx.err(`Created user ${parsed.data.email.toLowerCase()} (${parsed.data.role}). Audited.`);
  if (generated) {
    ctx.err("Generated password, shown this once (they can change it after signing in):");
    ctx.out(password);
  }
  return EXIT.ok;
};

/** Re-computes the audit trail's hash chain (server/services/audit-chain.ts): exit 0 intact, 1 broken. */
const verifyAudit: Action = async (ctx) => {
  const { withServerDatabase } = await import("../admin-db.ts");
  const { runAuditVerify } = await import("../../server/services/audit-chain.ts");
  const result = await withServerDatabase(ctx.err, (db) => runAuditVerify(db));
  ctx.out(ctx.mode() === "json" ? JSON.stringify(result.report, null, 2) : result.text);
  return result.exitCode === 0 ? EXIT.ok : EXIT.error;
};

const list = (o: Option, values: readonly string[], meaning: string) => o.choices(values as string[]).argParser((v: string, all: string[] | undefined) => [...(all ?? []), v]).default([], meaning);

export function adminCommands(program: Command, runner: Runner): void {
  const admin = program.command("admin").description("bootstrap on the server's machine, straight on its database (DATABASE_URL or the embedded PostgreSQL of `npm start`)");
  admin
    .command("token")
    .description("API tokens")
    .command("create")
    .description("create an API token and print it once (audited)")
    .option("--name <name>", "what it is for, e.g. ci (required)")
    .addOption(new Option("--role <role>", "the role it acts with; default release_manager with runs:write, else viewer").choices(ROLES as readonly string[] as string[]))
    .addOption(list(new Option("--scope <scope>", "what it may do; repeatable"), API_TOKEN_SCOPES, "runs:read and runs:write"))
    .addOption(new Option("--service <slug>", "limit it to this service; repeatable").argParser((v: string, all: string[]) => [...all, v]).default([], "every service"))
    .addOption(list(new Option("--environment <name>", "limit it to this environment; repeatable"), ENVIRONMENTS, "both"))
    .action((o: TokenOptions, cmd: Command) => runner(cmd, createToken(o)));
  admin
    .command("audit")
    .description("the audit trail")
    .command("verify")
    .description("re-compute the audit trail's hash chain: exit 0 intact, 1 broken (or not checked), naming the first broken entry")
    .action((_o: unknown, cmd: Command) => runner(cmd, verifyAudit));
  admin
    .command("user")
    .description("users")
    .command("create")
    .description("create a user who signs in with e-mail and password (audited)")
    .option("--email <email>", "(required)")
    .option("--name <name>", "(required)")
    .addOption(new Option("--role <role>", "(required)").choices(ROLES as readonly string[] as string[]))
    .option("--password <password>", "at least 12 characters; default: generated and printed once")
    .action((o: UserOptions, cmd: Command) => runner(cmd, createUserAction(o)));
}
