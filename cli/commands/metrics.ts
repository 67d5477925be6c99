import type { Command } from "commander";
import { z } from "zod";
import { ZApiRun } from "../../server/contracts/api-v1.ts";
import { CliError } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { EXIT, type ExitCode } from "../exit-codes.ts";
import { readInput } from "../read-input.ts";

/** `flightdeck metrics push`: samples for a rolling-out run, as POST /api/v1/metrics takes them. */

type Action = (ctx: CliContext) => Promise<ExitCode>;
type Runner = (command: Command, action: Action) => Promise<void>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The input: the API's body `{runId?, samples}`, or just the samples' array. The server validates each sample. */
const ZInput = z.union([z.array(z.unknown()), z.object({ runId: z.string().optional(), samples: z.array(z.unknown()) }).loose()]);

const push: (file: string | undefined, o: { run?: string }) => Action = (file, o) => async (ctx) => {
  const source = file ?? (ctx.io.stdin.isTTY ? null : "-");
  if (source === null) throw new CliError("metrics push reads the samples from a file, or from stdin with -: `flightdeck metrics push --run <id> samples.json`.");
  const text = await readInput(ctx, source, "metrics push");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`metrics push: ${source === "-" ? "stdin" : source} is not JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  const input = ZInput.safeParse(json);
  if (!input.success) throw new CliError('metrics push takes {"runId": "…", "samples": [ … ]} or a JSON array of samples.');
  const body = Array.isArray(input.data) ? { samples: input.data } : input.data;
  const fromFile = "runId" in body ? body.runId : undefined;
  const client = ctx.client();
  let runId = o.run?.trim().replace(/^#/, "") ?? fromFile;
  if (!runId) throw new CliError("metrics push needs --run <id> (or a runId in the body).");
  if (/^[1-9][0-9]{0,9}$/.test(runId)) {
    // The metrics API takes the run's id; a number is looked up first (this needs runs:read too).
    runId = (await client.json("GET", `/api/v1/runs/${runId}`, ZApiRun)).value.id;
  }
  if (!UUID.test(runId)) throw new CliError(`--run takes the run's id (a UUID) or number; got "${runId}".`);
  if (fromFile && fromFile !== runId) throw new CliError(`--run ${runId} and the body's runId ${fromFile} disagree; give one.`);
  const { value } = await client.json("POST", "/api/v1/metrics", z.object({ accepted: z.number() }), { body: { ...body, runId } });
  ctx.out(ctx.mode() === "json" ? JSON.stringify(value) : `Accepted ${value.accepted} sample${value.accepted === 1 ? "" : "s"} for run ${runId}.`);
  return EXIT.ok;
};

export function metricsCommands(program: Command, runner: Runner): void {
  program
    .command("metrics")
    .description("send metrics to Flightdeck's canary analysis")
    .command("push [file]")
    .description("send samples (the body POST /api/v1/metrics takes) from a file, or stdin with - (needs metrics:write)")
    .option("--run <ref>", "the run's id (or number, which also needs runs:read)")
    .action((file: string | undefined, o: { run?: string }, cmd: Command) => runner(cmd, push(file, o)));
}
