import { Command, Option } from "commander";
import { ZApiCommandResult, ZApiCreateRunBody, ZApiRun, ZApiRunList, type ApiRun } from "../../server/contracts/api-v1.ts";
import { COMPLIANCES, ENVIRONMENTS, RISKS, RUN_STATUSES, STRATEGIES } from "../../server/core/types.ts";
import { ApiProblemError, CliError, type ApiClient } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { EXIT, EXIT_CODES_HELP, type ExitCode } from "../exit-codes.ts";
import { idempotencyKeyFor } from "../idempotency.ts";
import { progressLine, runTitle } from "../progress.ts";
import { readInput } from "../read-input.ts";
import { waitForRun } from "../wait.ts";

/** `flightdeck run …`: create, read, follow and command runs over the HTTP API v1. */

type Action = (ctx: CliContext) => Promise<ExitCode>;
type Runner = (command: Command, action: Action) => Promise<void>;

/** The API's field names as the flags that set them, so a refusal names what to change. */
const FLAG_OF: Record<string, string> = {
  service: "--service",
  environment: "--environment",
  version: "--version",
  kind: "--flag",
  flag: "--flag",
  strategy: "--strategy",
  risk: "--risk",
  compliance: "--compliance",
  commitSha: "--commit-sha",
  commitTime: "--commit-time",
  releaseNotes: "--notes",
  links: "--link",
  freezeOverrideReason: "--freeze-override-reason",
};
const flagOf = (path: string) => {
  const [head, index] = path.split(".");
  const flag = FLAG_OF[head ?? ""] ?? path;
  return head === "links" && index !== undefined ? `${flag} #${Number(index) + 1}` : flag;
};

type CreateOptions = {
  service?: string;
  environment?: string;
  version?: string;
  flag?: string;
  strategy?: string;
  risk?: string;
  compliance?: string;
  commitSha?: string;
  commitTime?: string;
  notes?: string;
  notesFile?: string;
  link: string[];
  idempotencyKey?: string;
  freezeOverrideReason?: string;
  wait?: boolean;
  timeout?: string;
  verbose?: boolean;
};

/** `--link label=url`: the label may not contain "=", the URL may. */
function parseLink(value: string): { label: string; url: string } {
  const cut = value.indexOf("=");
  if (cut <= 0) throw new CliError(`--link takes label=url, e.g. --link "CI job=https://ci.example/jobs/42"; got "${value}".`);
  return { label: value.slice(0, cut).trim(), url: value.slice(cut + 1).trim() };
}

/** `--flag key=variant`: a flag run (issue 15) rolls the flag's variant out to a growing share of users. */
function parseFlag(value: string): { key: string; variant: string } {
  const cut = value.indexOf("=");
  if (cut <= 0 || cut === value.length - 1) throw new CliError(`--flag takes key=variant, e.g. --flag new-checkout=on; got "${value}".`);
  return { key: value.slice(0, cut).trim(), variant: value.slice(cut + 1).trim() };
}

/** Validates the request here, with the server's own schema, so a mistake is named by its flag before anything is sent. */
async function createBody(ctx: CliContext, o: CreateOptions) {
  const isFlag = o.flag !== undefined;
  if (isFlag && o.version !== undefined) throw new CliError("A run releases a version (--version) or a flag's variant (--flag key=variant), not both.");
  const missing = (["service", "environment", ...(isFlag ? [] : (["version"] as const))] as const).filter((k) => !o[k]?.trim()).map((k) => `--${k}`);
  if (missing.length) throw new CliError(`run create needs --service, --environment and --version (or --flag key=variant); missing ${missing.join(", ")}.`);
  if (o.notes !== undefined && o.notesFile !== undefined) throw new CliError("Give release notes with --notes or --notes-file, not both.");
  const releaseNotes = o.notesFile !== undefined ? await readInput(ctx, o.notesFile, "--notes-file") : o.notes;
  const raw = {
    service: o.service,
    environment: o.environment,
    ...(o.flag !== undefined ? { kind: "flag", flag: parseFlag(o.flag) } : { version: o.version }),
    ...(o.strategy !== undefined ? { strategy: o.strategy } : {}),
    ...(o.risk !== undefined ? { risk: o.risk } : {}),
    ...(o.compliance !== undefined ? { compliance: o.compliance } : {}),
    ...(o.commitSha !== undefined ? { commitSha: o.commitSha } : {}),
    ...(o.commitTime !== undefined ? { commitTime: o.commitTime } : {}),
    ...(releaseNotes !== undefined ? { releaseNotes } : {}),
    ...(o.link.length ? { links: o.link.map(parseLink) } : {}),
    ...(o.freezeOverrideReason !== undefined ? { freezeOverrideReason: o.freezeOverrideReason } : {}),
  };
  const parsed = ZApiCreateRunBody.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${flagOf(i.path.join("."))}: ${i.message}`);
    throw new CliError(`Nothing was sent; fix these first:\n${lines.join("\n")}`);
  }
  // Sent as given (not with defaults filled in): the server applies its own.
  return raw;
}

/** POST with the idempotency key, retried on a dropped connection or a 5xx: the key makes a retry answer with the same run. */
async function postRun(client: ApiClient, body: unknown, key: string, onRetry: (why: string) => void): Promise<{ run: ApiRun; replay: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { value, response } = await client.json("POST", "/api/v1/runs", ZApiRun, { body, headers: { "idempotency-key": key } });
      return { run: value, replay: response.headers.get("idempotent-replay") === "true" };
    } catch (e) {
      const retriable = !(e instanceof ApiProblemError) || e.status >= 500;
      if (!retriable || attempt >= 3) throw e;
      onRetry(`${e instanceof Error ? e.message : String(e)}; retrying with the same Idempotency-Key`);
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
}

const create: (o: CreateOptions) => Action = (o) => async (ctx) => {
  const body = await createBody(ctx, o);
  const client = ctx.client();
  const { key, source } = o.idempotencyKey !== undefined ? { key: o.idempotencyKey, source: "--idempotency-key" } : idempotencyKeyFor(ctx.env, { service: body.service ?? "", environment: body.environment ?? "", version: "flag" in body ? `flag:${body.flag.key}=${body.flag.variant}` : (body.version ?? "") });
  const { run, replay } = await postRun(client, body, key, (why) => ctx.err(why)).catch((e: unknown) => {
    // 409: a run already holds this service and environment (say how to find and follow it), or a change freeze (how to override).
    if (e instanceof ApiProblemError && e.status === 409 && /in progress/.test(e.problem?.detail ?? "")) {
      throw new CliError(`${e.message}\n  Runs in progress there: flightdeck run list --service ${body.service} --environment ${body.environment} --status active\n  Follow one with: flightdeck run wait <number>`);
    }
    if (e instanceof ApiProblemError && e.status === 409 && /frozen/.test(e.problem?.detail ?? "")) {
      throw new CliError(`${e.message}\n  With an admin token: flightdeck run create … --freeze-override-reason "<why this cannot wait>"`);
    }
    throw e;
  });
  if (ctx.mode() === "json") {
    if (!o.wait) ctx.out(JSON.stringify(run, null, 2));
  } else {
    ctx.err(`${replay ? "Already created for this Idempotency-Key" : "Created"}: run ${runTitle(run)}  ${run.url}`);
    ctx.err(`  (Idempotency-Key ${key}, from ${source})`);
    if (!o.wait) ctx.out(`${run.number}`);
  }
  return o.wait ? waitForRun(ctx, run.id, { ...(o.timeout !== undefined ? { timeout: o.timeout } : {}), verbose: o.verbose ?? false }, run) : EXIT.ok;
};

/** A run reference as the API takes it: its id (UUID) or number (42, or #42). */
function ref(value: string): string {
  const v = value.trim().replace(/^#/, "");
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) || /^[1-9][0-9]{0,9}$/.test(v)) return v;
  throw new CliError(`"${value}" is not a run: give its number (42) or its id (a UUID).`);
}

function describe(run: ApiRun): string {
  const lines = [
    runTitle(run),
    `  ${progressLine(run)}`,
    `  baseline ${run.baselineVersion} · ${run.strategy} · risk ${run.risk} · compliance ${run.compliance} · canary ${run.canaryPercent}%`,
    `  created ${run.createdAt} by ${run.createdBy}${run.finishedAt ? ` · finished ${run.finishedAt}` : ""}`,
  ];
  if (run.commitSha) lines.push(`  commit ${run.commitSha}${run.commitAt ? ` (${run.commitAt})` : ""}`);
  if (run.gate) {
    const g = run.gate;
    lines.push(`  ${g.kind} gate ${g.status}: ${g.approvals.length}/${g.requiredApprovals} approvals${g.rejected ? ` · rejected by ${g.rejected.by}: ${g.rejected.reason}` : ""}`);
    for (const b of g.blockers) lines.push(`    blocker${b.waivable ? " (waivable)" : ""}: ${b.message}`);
  }
  if (run.outcomeReason) lines.push(`  ${run.outcomeReason}`);
  for (const l of run.links) lines.push(`  ${l.label}: ${l.url}`);
  lines.push(`  ${run.url}`);
  return lines.join("\n");
}

const get: (r: string) => Action = (r) => async (ctx) => {
  const { value: run } = await ctx.client().json("GET", `/api/v1/runs/${ref(r)}`, ZApiRun);
  ctx.out(ctx.mode() === "json" ? JSON.stringify(run, null, 2) : describe(run));
  return EXIT.ok;
};

type ListOptions = { service?: string; environment?: string; status?: string; limit?: string };

const list: (o: ListOptions) => Action = (o) => async (ctx) => {
  const query = new URLSearchParams();
  if (o.service) query.set("service", o.service);
  if (o.environment) query.set("environment", o.environment);
  if (o.status) query.set("status", o.status);
  if (o.limit) {
    if (!/^\d+$/.test(o.limit) || Number(o.limit) < 1 || Number(o.limit) > 100) throw new CliError(`--limit takes a whole number from 1 to 100; got "${o.limit}".`);
    query.set("limit", o.limit);
  }
  const { value } = await ctx.client().json("GET", `/api/v1/runs${query.size ? `?${query}` : ""}`, ZApiRunList);
  if (ctx.mode() === "json") {
    ctx.out(JSON.stringify(value, null, 2));
    return EXIT.ok;
  }
  if (value.runs.length === 0) {
    ctx.err("No runs.");
    return EXIT.ok;
  }
  const rows = value.runs.map((r) => [`#${r.number}`, r.status, r.phase, r.service, r.environment, r.version, r.createdAt]);
  const header = ["RUN", "STATUS", "PHASE", "SERVICE", "ENV", "VERSION", "CREATED"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  for (const row of [header, ...rows]) ctx.out(row.map((cell, i) => (cell ?? "").padEnd(widths[i] ?? 0)).join("  ").trimEnd());
  return EXIT.ok;
};

/** The commands a run takes from the CLI, with whether the API requires a reason (server/core/commands.ts). */
const COMMANDS = {
  approve: { kind: "approve", reason: "optional", says: "approve the run at its gate" },
  reject: { kind: "reject", reason: "required", says: "reject the run at its gate (it ends)" },
  waive: { kind: "waive", reason: "required", says: "waive the gate's waivable blockers" },
  promote: { kind: "promote", reason: "required", says: "skip the remaining holds: full traffic to the new version" },
  pause: { kind: "pause", reason: "optional", says: "pause the rollout where it is" },
  resume: { kind: "resume", reason: "none", says: "resume a paused run" },
  rollback: { kind: "rollback", reason: "required", says: "roll the run back to the baseline" },
  abort: { kind: "abort", reason: "required", says: "abort the run" },
} as const;

const command: (name: keyof typeof COMMANDS, r: string, o: { reason?: string }) => Action = (name, r, o) => async (ctx) => {
  const spec = COMMANDS[name];
  const reason = o.reason?.trim();
  if (spec.reason === "required" && (!reason || reason.length < 3)) {
    throw new CliError(`run ${name} needs --reason "<why>" (at least 3 characters): the audit trail and the release record quote it.`);
  }
  if (spec.reason === "none" && reason) throw new CliError(`run ${name} takes no --reason.`);
  const body = { kind: spec.kind, ...(reason ? { reason } : {}) };
  return send(ctx, r, body, name);
};

async function send(ctx: CliContext, r: string, body: Record<string, unknown>, name: string): Promise<ExitCode> {
  const { value } = await ctx.client().json("POST", `/api/v1/runs/${ref(r)}/commands`, ZApiCommandResult, { body });
  if (ctx.mode() === "json") ctx.out(JSON.stringify(value));
  else ctx.out(`${name}: sent to run ${ref(r)}${value.note ? ` — ${value.note}` : ""}`);
  return EXIT.ok;
}

const confirmWeight: (r: string, o: { percent?: string }) => Action = (r, o) => async (ctx) => {
  const percent = Number(o.percent);
  if (o.percent === undefined || !/^\d+$/.test(o.percent) || percent > 100) throw new CliError("run confirm-weight needs --percent <0–100>: the canary weight now applied in your router.");
  return send(ctx, r, { kind: "confirmWeight", percent }, "confirm-weight");
};

const wait: (r: string, o: { timeout?: string; verbose?: boolean }) => Action = (r, o) => async (ctx) => waitForRun(ctx, ref(r), o);

const choices = (o: Option, values: readonly string[]) => o.choices(values as string[]);

/** Adds `run …` to the program; `runner` turns each action into the process's exit code. */
export function runCommands(program: Command, runner: Runner): void {
  const run = program.command("run").description("create, read, follow and command release runs (HTTP API v1)");
  run
    .command("create")
    .description("create a run (after the canary is deployed); --wait follows it to its end")
    .option("--service <slug>", "the service's slug, e.g. storefront (required)")
    .addOption(choices(new Option("--environment <name>", "where to release (required)"), ENVIRONMENTS))
    .option("--version <version>", "the version to release (required, unless --flag); the current one becomes the baseline")
    .option("--flag <key=variant>", "instead of a version: roll a feature flag's variant out to a growing share of users, e.g. new-checkout=on; its current default is the baseline")
    .addOption(choices(new Option("--strategy <strategy>", "default canary"), STRATEGIES))
    .addOption(choices(new Option("--risk <level>", "default low (staging needs no approver; production always one)"), RISKS))
    .addOption(choices(new Option("--compliance <regime>", "default none"), COMPLIANCES))
    .option("--commit-sha <sha>", "the commit being released (7–40 hex characters)")
    .option("--commit-time <iso>", "when it was committed, ISO 8601 (e.g. 2026-12-04T15:04:05Z)")
    .option("--notes <markdown>", "release notes")
    .option("--notes-file <path>", "release notes from a file, or - for stdin")
    .addOption(new Option("--link <label=url>", "a link on the run (CI job, pull request); repeatable").argParser((v: string, all: string[]) => [...all, v]).default([], "none"))
    .option("--freeze-override-reason <text>", "admins only: release during a change freeze, and why (at least 10 characters)")
    .option("--idempotency-key <key>", "default: from the CI job (GITHUB_RUN_ID + GITHUB_RUN_ATTEMPT, CI_JOB_ID, …), else random")
    .option("--wait", "follow the run to its end; the exit code says how it ended")
    .option("--timeout <duration>", "with --wait: stop waiting after this long (90s, 30m, 2h) and exit 4")
    .option("--verbose", "with --wait: also print the check agents' log lines")
    .addHelpText("after", `\n${EXIT_CODES_HELP}\n`)
    .action((o: CreateOptions, cmd: Command) => runner(cmd, create(o)));
  run
    .command("get <ref>")
    .description("show a run (its number or id)")
    .action((r: string, _o: unknown, cmd: Command) => runner(cmd, get(r)));
  run
    .command("list")
    .description("list runs, newest first")
    .option("--service <slug>")
    .addOption(choices(new Option("--environment <name>"), ENVIRONMENTS))
    .addOption(choices(new Option("--status <status>", "active = running, paused or rolling back"), ["active", ...RUN_STATUSES]))
    .option("--limit <n>", "1–100, default 20")
    .action((o: ListOptions, cmd: Command) => runner(cmd, list(o)));
  run
    .command("wait <ref>")
    .description("follow a run to its end; the exit code says how it ended")
    .option("--timeout <duration>", "stop waiting after this long (90s, 30m, 2h) and exit 4")
    .option("--verbose", "also print the check agents' log lines")
    .addHelpText("after", `\n${EXIT_CODES_HELP}\n`)
    .action((r: string, o: { timeout?: string; verbose?: boolean }, cmd: Command) => runner(cmd, wait(r, o)));
  for (const name of Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]) {
    const spec = COMMANDS[name];
    const sub = run.command(`${name} <ref>`).description(spec.says);
    if (spec.reason !== "none") sub.option("--reason <text>", spec.reason === "required" ? "why (required, at least 3 characters)" : "why (optional)");
    sub.action((r: string, o: { reason?: string }, cmd: Command) => runner(cmd, command(name, r, o)));
  }
  run
    .command("confirm-weight <ref>")
    .description("confirm the canary weight your router now applies (manual router)")
    .option("--percent <n>", "the weight applied, 0–100")
    .action((r: string, o: { percent?: string }, cmd: Command) => runner(cmd, confirmWeight(r, o)));
}
