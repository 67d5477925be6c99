import { Command, CommanderError } from "commander";
import { ZodError } from "zod";
import { CliError } from "./api-client.ts";
import { adminCommands } from "./commands/admin.ts";
import { metricsCommands } from "./commands/metrics.ts";
import { openapiCommand } from "./commands/openapi.ts";
import { runCommands } from "./commands/run.ts";
import { makeContext, type CliIo, type GlobalOptions } from "./context.ts";
import { parseCliEnv } from "./env.ts";
import { EXIT, EXIT_CODES_HELP, type ExitCode } from "./exit-codes.ts";

/**
 * `flightdeck`: the command line for CI pipelines and release managers (the HTTP API v1), and
 * local administration on the server's machine. Returns the exit code; the launcher
 * (bin/flightdeck.mjs) exits with it, tests read it.
 */

const ENV_HELP = `Environment:
  FLIGHTDECK_URL    the server, e.g. http://127.0.0.1:3000 (--url overrides)
  FLIGHTDECK_TOKEN  an API token fd_… (--token overrides); create one with
                    \`npx flightdeck admin token create --name ci --role release_manager\`
                    on the server, or in Settings → API tokens
  CI                when set, progress is plain timestamped lines (also when stdout is not a terminal)`;

export async function main(io: CliIo): Promise<number> {
  let code: ExitCode = EXIT.ok;
  const env = parseCliEnv(io.env);
  const program = new Command("flightdeck")
    .description("Flightdeck's command line: create and follow release runs from CI, command them, push metrics, bootstrap tokens and users.")
    .option("--url <url>", "the Flightdeck server (default: $FLIGHTDECK_URL)")
    .option("--token <token>", "an API token (default: $FLIGHTDECK_TOKEN)")
    .option("--json", "machine-readable output: JSON, and NDJSON (one event a line) while waiting")
    .showHelpAfterError("(flightdeck --help lists the commands; flightdeck <command> --help its options)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText("after", `\n${ENV_HELP}\n\n${EXIT_CODES_HELP}\n`);

  /** Runs one command's action with its context; its exit code becomes the process's. */
  const runner = async (command: Command, action: (ctx: ReturnType<typeof makeContext>) => Promise<ExitCode>) => {
    code = await action(makeContext(io, env, command.optsWithGlobals<GlobalOptions>()));
  };
  runCommands(program, runner);
  metricsCommands(program, runner);
  openapiCommand(program, runner);
  adminCommands(program, runner);

  try {
    await program.parseAsync(io.argv, { from: "user" });
    return code;
  } catch (e) {
    // Commander has printed its own message (and help) already; --help itself is a success.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.error;
    if (e instanceof CliError) {
      io.stderr.write(`flightdeck: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof ZodError) {
      io.stderr.write(`flightdeck: ${e.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ")}\n`);
      return EXIT.error;
    }
    io.stderr.write(`flightdeck: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.error;
  }
}
