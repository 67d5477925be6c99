import type { ApiRun } from "../server/contracts/api-v1.ts";
import { CliError } from "./api-client.ts";
import type { CliContext } from "./context.ts";
import { EXIT, outcomeOf, type ExitCode } from "./exit-codes.ts";
import { followRun } from "./follow.ts";
import { jsonView, plainView, ttyView, type ProgressView } from "./progress.ts";

/** `--timeout`: seconds, or a number with s, m or h (90, 90s, 30m, 2h). */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim());
  const amount = match ? Number(match[1]) : NaN;
  if (!match || !(amount > 0)) throw new CliError(`--timeout takes a duration like 90, 90s, 30m or 2h; got "${value}".`);
  const unit = match[2] === "h" ? 3_600_000 : match[2] === "m" ? 60_000 : 1_000;
  return amount * unit;
}

export type WaitOptions = { timeout?: string; verbose?: boolean };

function viewFor(ctx: CliContext, verbose: boolean): ProgressView {
  const mode = ctx.mode();
  if (mode === "json") return jsonView(ctx.io.stdout);
  if (mode === "tty") return ttyView(ctx.io.stdout, { verbose, color: !ctx.env.NO_COLOR });
  return plainView(ctx.io.stdout, { verbose });
}

/**
 * Follows the run to its end and says how it ended; the exit code is the pipeline's answer
 * (exit-codes.ts). `first` is the run as creation returned it, shown before the stream starts.
 */
export async function waitForRun(ctx: CliContext, ref: string, opts: WaitOptions, first: ApiRun | null = null): Promise<ExitCode> {
  const timeoutMs = opts.timeout !== undefined ? parseDuration(opts.timeout) : null;
  const client = ctx.client();
  const view = viewFor(ctx, opts.verbose ?? false);
  if (first) view.event({ event: "run.changed", id: first.seq, data: first });
  const result = await followRun({
    client,
    ref,
    onEvent: view.event,
    onNotice: view.notice,
    deadline: timeoutMs === null ? null : Date.now() + timeoutMs,
    ...ctx.io.follow,
  });
  if (result.kind === "timedOut") {
    view.finish(result.run, { outcome: "timed out", code: EXIT.timedOut, timedOut: true });
    return EXIT.timedOut;
  }
  const { outcome, code } = outcomeOf(result.run);
  view.finish(result.run, { outcome, code, timedOut: false });
  return code;
}
