import type { z } from "zod";
import { ZProblem, type Problem } from "../server/contracts/api-v1.ts";
import { EXIT, type ExitCode } from "./exit-codes.ts";

/** An error the CLI reports in one readable message and ends with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.error,
  ) {
    super(message);
  }
}

/** The API answered with an error (problem details when it is Flightdeck answering). */
export class ApiProblemError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    message: string,
  ) {
    super(message);
  }
}

/** Where the server is and who we are to it. */
export type Connection = { url: string; token: string };

const TOKEN_FORMAT = /^fd_[A-Za-z0-9_-]{43}$/;

export const SET_URL_HELP = "Set FLIGHTDECK_URL to the Flightdeck server's address (e.g. FLIGHTDECK_URL=http://127.0.0.1:3000), or pass --url.";
export const SET_TOKEN_HELP =
  "Set FLIGHTDECK_TOKEN to an API token (create one with `npx flightdeck admin token create --name ci --role release_manager` on the server, or in Settings → API tokens), or pass --token.";

/** The server's address from --url or FLIGHTDECK_URL: an http(s) URL, without a trailing slash. */
export function resolveUrl(flag: string | undefined, envValue: string | undefined): string {
  const raw = flag?.trim() || envValue?.trim();
  if (!raw) throw new CliError(SET_URL_HELP);
  const from = flag?.trim() ? "--url" : "FLIGHTDECK_URL";
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new CliError(`${from} is not an http:// or https:// address: "${raw}". ${SET_URL_HELP}`);
  }
  return raw.replace(/\/+$/, "");
}

/** The API token from --token or FLIGHTDECK_TOKEN, checked for shape so a pasted typo fails here, not as a 401. */
export function resolveToken(flag: string | undefined, envValue: string | undefined): string {
  const raw = flag?.trim() || envValue?.trim();
  if (!raw) throw new CliError(SET_TOKEN_HELP);
  const from = flag?.trim() ? "--token" : "FLIGHTDECK_TOKEN";
  if (!TOKEN_FORMAT.test(raw)) {
    throw new CliError(`${from} is not a Flightdeck API token (fd_ followed by 43 letters, digits, - or _; got ${raw.length} characters). ${SET_TOKEN_HELP}`);
  }
  return raw;
}

/** A problem's readable lines: title and status, what went wrong, then each field at fault. */
export function formatProblem(status: number, problem: Problem): string {
  const lines = [`${problem.title} (HTTP ${status})`];
  if (problem.detail && problem.detail !== problem.title) lines.push(`  ${problem.detail}`);
  for (const [field, messages] of Object.entries(problem.errors ?? {})) {
    for (const message of messages) lines.push(`  ${field}: ${message}`);
  }
  return lines.join("\n");
}

type RequestOptions = { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; auth?: boolean };

/**
 * The HTTP API v1 as the CLI calls it: JSON in and out, the bearer token on every call that
 * needs one, and every failure turned into a CliError that says what happened.
 */
export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string | null,
  ) {}

  /** The raw response (the event stream reads it as it arrives); network failures become CliErrors. */
  async fetch(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "flightdeck-cli", ...opts.headers };
    if (opts.auth !== false && this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    try {
      return await fetch(`${this.url}${path}`, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        redirect: "error",
      });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new CliError(`Could not reach Flightdeck at ${this.url}: ${networkReason(e)}`);
    }
  }

  /** A JSON answer read with its schema; an error answer becomes an ApiProblemError. */
  async json<S extends z.ZodType>(method: string, path: string, schema: S, opts: RequestOptions = {}): Promise<{ value: z.infer<S>; response: Response }> {
    const response = await this.fetch(method, path, opts);
    if (!response.ok) throw await problemOf(response, `${method} ${path}`);
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CliError(`${method} ${this.url}${path} answered HTTP ${response.status} with something other than JSON: ${text.slice(0, 200)}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new CliError(`${method} ${this.url}${path} answered in an unexpected shape (is the server a different Flightdeck version?): ${parsed.error.issues[0]?.message ?? ""}`);
    }
    return { value: parsed.data, response };
  }
}

/** An error answer as a CliError: problem details when the server sent them, else the status and the start of the body. */
export async function problemOf(response: Response, what: string): Promise<ApiProblemError> {
  const text = await response.text().catch(() => "");
  const type = response.headers.get("content-type") ?? "";
  if (/json/.test(type)) {
    try {
      const parsed = ZProblem.partial({ code: true, type: true }).safeParse(JSON.parse(text));
      if (parsed.success) {
        const problem: Problem = { type: "about:blank", code: "", ...parsed.data };
        return new ApiProblemError(response.status, problem, formatProblem(response.status, problem));
      }
    } catch {
      // not JSON after all: reported as text below
    }
  }
  const snippet = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return new ApiProblemError(response.status, null, `${what} answered HTTP ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ""}`);
}

/** Why a fetch failed, in the network's words (undici hides the code in `cause`). */
function networkReason(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code === "ECONNREFUSED") return "connection refused (is `npm start` running, and is FLIGHTDECK_URL right?)";
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ""}`;
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}
