import { ApiClient, resolveToken, resolveUrl } from "./api-client.ts";
import { inCi, type CliEnv } from "./env.ts";
import type { FollowOptions } from "./follow.ts";
import type { Writable } from "./progress.ts";

/**
 * What the CLI is given by its launcher (bin/flightdeck.mjs) or a test; the API commands read
 * nothing from the process itself. (`flightdeck admin` reads the server's configuration,
 * server/env.ts, because it must find the database exactly as the server does.)
 */
export type CliIo = {
  argv: string[];
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  /** the follower's pauses, shortened by tests (a fake server drops streams in milliseconds); defaults in follow.ts */
  follow?: Pick<FollowOptions, "reconnectDelayMs" | "maxStreamFailures" | "idleTimeoutMs" | "pollIntervalMs" | "maxPollFailures">;
};

/** Options every command accepts (before or after the command's name). */
export type GlobalOptions = { url?: string; token?: string; json?: boolean };

/** A command's view of the world: its streams, configuration and the API. */
export type CliContext = {
  io: CliIo;
  env: CliEnv;
  global: GlobalOptions;
  /** the API with a token (FLIGHTDECK_URL and FLIGHTDECK_TOKEN, or the flags); says what to set when one is missing */
  client: () => ApiClient;
  /** the API without a token (the OpenAPI document is public) */
  publicClient: () => ApiClient;
  /** how progress is shown: NDJSON, a live display on a terminal, else plain lines */
  mode: () => "json" | "tty" | "plain";
  out: (text: string) => void;
  err: (text: string) => void;
};

export function makeContext(io: CliIo, env: CliEnv, global: GlobalOptions): CliContext {
  return {
    io,
    env,
    global,
    client: () => new ApiClient(resolveUrl(global.url, env.FLIGHTDECK_URL), resolveToken(global.token, env.FLIGHTDECK_TOKEN)),
    publicClient: () => new ApiClient(resolveUrl(global.url, env.FLIGHTDECK_URL), null),
    mode: () => (global.json ? "json" : io.stdout.isTTY && !inCi(env) ? "tty" : "plain"),
    out: (text) => io.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => io.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  };
}
