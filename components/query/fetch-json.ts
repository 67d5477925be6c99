import type * as z from "zod/mini";

/** An API error with the message the server marked safe to show. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * GETs JSON from our own API with the session cookie and reads it with the response's schema
 * (server/contracts/): non-2xx, or an answer that does not parse, becomes an ApiError. The schema
 * may be given as a loader (`() => import(…)`): zod then stays out of the page's first load and
 * arrives while the request is under way (the run page's 200 KB budget).
 */
export async function fetchJson<S extends z.ZodMiniType>(url: string, schema: S | (() => Promise<S>), signal?: AbortSignal): Promise<z.output<S>> {
  const schemaLoaded = typeof schema === "function" ? schema() : Promise.resolve(schema);
  // Awaited below; until then a failed load must not count as an unhandled rejection.
  void schemaLoaded.catch(() => undefined);
  let res: Response;
  try {
    res = await fetch(url, { credentials: "same-origin", cache: "no-store", signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "Flightdeck cannot be reached. Check your connection.");
  }
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => null);
    const message =
      body && typeof body === "object" && "error" in body && typeof body.error === "string" ? body.error : `Request failed (${res.status})`;
    if (res.status === 401 && typeof window !== "undefined") {
      // The session ended (e.g. an admin changed this user's role): sign in again.
      window.location.assign("/sign-in");
    }
    throw new ApiError(res.status, message);
  }
  const body: unknown = await res.json().catch(() => undefined);
  const parsed = (await schemaLoaded).safeParse(body);
  if (!parsed.success) throw new ApiError(res.status, "The server's answer could not be read. Reload the page; if it persists, the server and this page are different versions.");
  return parsed.data;
}

/** Readable text for any error a query may throw. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : "Something went wrong.";
}
