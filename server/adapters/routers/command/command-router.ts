import { COMMAND_PLACEHOLDERS, PLACEHOLDER_PATTERN, type CommandPlaceholder } from "../../../db/environment-config-schema.ts";
import type { RouteTarget, TrafficRouter } from "../../../engine/ports.ts";
import { MINIMAL_PATH, runIsolated } from "../../isolated-command.ts";

/** Settings of a command router: the stored argv, its time limit and where it runs. */
export type CommandRouterOptions = {
  /** the program's absolute path, then its arguments (may hold {placeholders}) */
  command: readonly string[];
  /** how long one weight change may take before the command is killed and the change fails */
  timeoutSeconds: number;
  /** absolute directory the command runs in; default: the server's */
  workingDirectory?: string;
};

/** Kept from the command's stderr for the error a failed weight change shows on the run page. */
const STDERR_TAIL_CHARS = 2_000;

/**
 * Shifts traffic by running a team's program once per weight change (kubectl, the Argo Rollouts
 * plugin, a script). The program gets the change in FLIGHTDECK_* variables and, where its argv
 * says `{weight}`, `{service}`, …, inside those arguments; it runs without a shell, so a value
 * such as `; rm -rf /` is one literal argument. Exit 0 means applied; anything else fails the
 * change with the end of its stderr, like a webhook that answers an error.
 */
export class CommandRouter implements TrafficRouter {
  // What the last successful command applied, per run: a program cannot be asked what it serves,
  // so its exit 0 is the confirmation (verifyWeight), and a restart re-applies the run's weight.
  private applied: { runId: string; percent: number } | null = null;
  // One command at a time: two overlapping kubectl patches could land in either order.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CommandRouterOptions) {
    const [program] = options.command;
    if (program === undefined || !program.startsWith("/")) throw new Error("command router: the program must be an absolute path");
  }

  setWeight(target: RouteTarget, percent: number): Promise<void> {
    assertPercent(percent);
    const next = this.queue.then(() => this.run(target, percent));
    this.queue = next.catch(() => {});
    return next;
  }

  async verifyWeight(target: RouteTarget, percent: number): Promise<boolean> {
    await this.queue;
    return this.applied !== null && this.applied.runId === target.runId && this.applied.percent === percent;
  }

  private async run(target: RouteTarget, percent: number): Promise<void> {
    const values = placeholderValues(target, percent);
    const [program = "", ...args] = this.options.command;
    const timeoutMs = this.options.timeoutSeconds * 1_000;
    // A failed or unfinished command may have changed the split halfway: nothing is known to be served.
    this.applied = null;
    const end = await runIsolated(program, args.map((arg) => fillPlaceholders(arg, values)), {
      env: commandEnv(values),
      cwd: this.options.workingDirectory,
      timeoutMs,
      tailChars: STDERR_TAIL_CHARS,
    });
    const what = `router command ${program} (setting ${percent}% to the canary)`;
    switch (end.kind) {
      case "exited":
        if (end.code === 0) {
          this.applied = { runId: target.runId, percent };
          return;
        }
        throw new Error(`${what} exited with code ${end.code}${stderrOf(end.stderr)}`);
      case "killed":
        throw new Error(`${what} was killed by ${end.signal}${stderrOf(end.stderr)}`);
      case "timedOut":
        throw new Error(`${what} timed out after ${this.options.timeoutSeconds} s and was killed${stderrOf(end.stderr)}`);
      case "notStarted":
        throw new Error(`${what} could not start: ${end.error}`);
    }
  }
}

/** The values of one weight change, by placeholder name. */
export function placeholderValues(target: RouteTarget, percent: number): Record<CommandPlaceholder, string> {
  return {
    weight: String(percent),
    baselineWeight: String(100 - percent),
    service: target.service,
    environment: target.environment,
    runId: target.runId,
    baselineVersion: target.baseline,
    canaryVersion: target.canary,
  };
}

/**
 * One argument with its placeholders replaced, in a single pass: a value that itself contains
 * `{weight}` is not replaced again, and the argument stays one argument whatever the values hold.
 */
export function fillPlaceholders(arg: string, values: Record<CommandPlaceholder, string>): string {
  return arg.replace(PLACEHOLDER_PATTERN, (whole, name: string) => (isPlaceholder(name) ? values[name] : whole));
}

function isPlaceholder(name: string): name is CommandPlaceholder {
  return (COMMAND_PLACEHOLDERS as readonly string[]).includes(name);
}

/** The command's whole environment: the minimal PATH and the change. Nothing of the server's leaks. */
function commandEnv(v: Record<CommandPlaceholder, string>): Record<string, string> {
  return {
    PATH: MINIMAL_PATH,
    FLIGHTDECK_WEIGHT: v.weight,
    FLIGHTDECK_BASELINE_WEIGHT: v.baselineWeight,
    FLIGHTDECK_SERVICE: v.service,
    FLIGHTDECK_ENVIRONMENT: v.environment,
    FLIGHTDECK_RUN_ID: v.runId,
    FLIGHTDECK_BASELINE_VERSION: v.baselineVersion,
    FLIGHTDECK_CANARY_VERSION: v.canaryVersion,
  };
}

function stderrOf(stderr: string): string {
  const text = stderr.trim();
  return text === "" ? " (nothing on stderr)" : `; stderr: ${text}`;
}

function assertPercent(percent: number): void {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError(`canary percent must be 0–100, got ${percent}`);
}
