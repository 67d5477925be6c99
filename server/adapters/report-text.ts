// How adapters quote the outside world in findings, log lines and errors: on one line, and
// without what must not be shown (a URL's query or credentials, an error's message that may
// quote a secret).

/** An undici failure as one line: its message and, when it wraps one, the socket error's. */
export function describeNetworkError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // undici wraps the socket error; its code (ECONNREFUSED, …) is what an operator searches for.
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : "";
  return `${e.message}${cause}`;
}

/** A URL as shown in findings: origin and path, never the query (it may carry a token). */
export function redactUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.origin}${url.pathname}`;
}

/** One line of at most `chars` characters, for evidence. */
export function excerpt(text: string, chars = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > chars ? `${flat.slice(0, chars)}…` : flat;
}

/** A short error code (ECONNREFUSED, 28P01, UND_ERR_HEADERS_TIMEOUT, …) without the message, which may quote secrets. */
export function errorCode(e: unknown, fallback = "UNKNOWN"): string {
  if (typeof e === "object" && e !== null) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
    const cause = (e as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== e) return errorCode(cause, fallback);
    const name = (e as { name?: unknown }).name;
    if (name === "AbortError" || name === "TimeoutError") return "TIMEOUT";
  }
  return fallback;
}

/**
 * A team's command as agent logs and findings name it: the program, not its arguments. Every
 * reader of a run sees its logs and findings, viewers included, and arguments carry paths, hosts
 * and sometimes credentials; the full command line is in the environment's settings, for admins.
 */
export function commandLabel(command: string, args: readonly string[]): string {
  const program = command.split("/").pop() || command;
  return args.length === 0 ? program : `${program} with ${args.length} argument${args.length === 1 ? "" : "s"}`;
}
