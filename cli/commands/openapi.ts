import type { Command } from "commander";
import { z } from "zod";
import type { CliContext } from "../context.ts";
import { EXIT, type ExitCode } from "../exit-codes.ts";

type Runner = (command: Command, action: (ctx: CliContext) => Promise<ExitCode>) => Promise<void>;

/** `flightdeck openapi`: the server's OpenAPI document (public; no token needed). */
export function openapiCommand(program: Command, runner: Runner): void {
  program
    .command("openapi")
    .description("print the server's OpenAPI 3.1 document (GET /api/v1/openapi.json)")
    .action((_o: unknown, cmd: Command) =>
      runner(cmd, async (ctx) => {
        const { value } = await ctx.publicClient().json("GET", "/api/v1/openapi.json", z.looseObject({ openapi: z.string() }));
        ctx.out(JSON.stringify(value, null, 2));
        return EXIT.ok;
      }),
    );
}
