import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { describeNetworkError, excerpt, redactUrl } from "../../report-text.ts";
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookPayload } from "./signature.ts";

/** Where and how to deliver signed JSON webhooks. Shared by the webhook router and notifier. */
export type WebhookEndpoint = {
  /** the receiver's URL (http or https) */
  url: string;
  /** shared secret for the HMAC-SHA256 signature; never sent, never put in errors */
  secret: string;
  /** per-attempt limit on connect + response; default 5000 ms */
  timeoutMs?: number;
  /** attempts in all, the first included; default 3 */
  attempts?: number;
  /** first retry delay, doubled per retry, with jitter (50–100% of it); default 200 ms */
  backoffMs?: number;
  /** clock in epoch milliseconds, for the signed timestamp; default Date.now */
  now?: () => number;
};

/** A 2xx answer from the receiver. */
export type WebhookResponse = { status: number; body: string };

/** A delivery that did not get a 2xx answer. `status` is the last HTTP status, if any arrived. */
export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    /** the last HTTP status received; undefined after a network error or timeout */
    readonly status: number | undefined,
    /** attempts made, the first included */
    readonly attempts: number,
  ) {
    super(message);
    this.name = "WebhookDeliveryError";
  }
}

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 200;

/** Checks an endpoint once, when an adapter is built, so a bad setting fails at startup. */
export function assertWebhookEndpoint(endpoint: WebhookEndpoint): void {
  const url = new URL(endpoint.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`webhook URL must be http(s), got ${url.protocol}`);
  if (endpoint.secret.length === 0) throw new Error("webhook secret must not be empty");
  if (endpoint.timeoutMs !== undefined && !(endpoint.timeoutMs > 0)) throw new Error("webhook timeoutMs must be positive");
  if (endpoint.attempts !== undefined && !(Number.isInteger(endpoint.attempts) && endpoint.attempts >= 1)) {
    throw new Error("webhook attempts must be an integer ≥ 1");
  }
}

/**
 * POSTs signed JSON and returns the first 2xx answer. `buildBody` gets the unix-seconds timestamp
 * of each attempt: retries are re-signed with a fresh timestamp so a slow retry is not rejected
 * as stale. Network errors, timeouts, 5xx and 429 are retried with exponential backoff; other
 * statuses are final. Worst case it takes attempts × timeoutMs plus the backoff delays.
 */
export async function postSignedJson(
  endpoint: WebhookEndpoint,
  what: string,
  buildBody: (timestampSeconds: number) => unknown,
): Promise<WebhookResponse> {
  const timeoutMs = endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const attempts = endpoint.attempts ?? DEFAULT_ATTEMPTS;
  const backoffMs = endpoint.backoffMs ?? DEFAULT_BACKOFF_MS;
  const now = endpoint.now ?? Date.now;
  const delivery = randomUUID();
  // The URL may carry a token in its query (common for chat webhooks): errors show origin and path only.
  const where = redactUrl(endpoint.url);
  let lastProblem = "";
  let lastStatus: number | undefined;

  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2) * (0.5 + Math.random() / 2));
    const timestamp = Math.floor(now() / 1000);
    const body = JSON.stringify(buildBody(timestamp));
    const outcome = await attemptOnce(endpoint, body, timestamp, delivery, timeoutMs);
    if ("error" in outcome) {
      lastProblem = outcome.error;
      lastStatus = undefined;
      continue;
    }
    if (outcome.status >= 200 && outcome.status < 300) return outcome;
    lastStatus = outcome.status;
    lastProblem = `HTTP ${outcome.status}${quoted(outcome.body)}`;
    const retryable = outcome.status >= 500 || outcome.status === 429;
    if (!retryable) {
      throw new WebhookDeliveryError(`webhook ${what} to ${where} rejected: ${lastProblem} (not retried)`, outcome.status, attempt);
    }
  }
  throw new WebhookDeliveryError(`webhook ${what} to ${where} failed after ${attempts} attempt(s): ${lastProblem}`, lastStatus, attempts);
}

async function attemptOnce(
  endpoint: WebhookEndpoint,
  body: string,
  timestamp: number,
  delivery: string,
  timeoutMs: number,
): Promise<WebhookResponse | { error: string }> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await request(endpoint.url, {
      method: "POST",
      body,
      signal,
      headers: {
        "content-type": "application/json",
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhookPayload(endpoint.secret, timestamp, body),
        [DELIVERY_HEADER]: delivery,
      },
    });
    return { status: res.statusCode, body: await res.body.text() };
  } catch (e) {
    if (signal.aborted) return { error: `timed out after ${timeoutMs} ms` };
    return { error: describeNetworkError(e) };
  }
}

/** The start of a receiver's answer, quoted, for an error message; nothing for an empty one. */
function quoted(body: string): string {
  const text = excerpt(body);
  return text === "" ? "" : ` "${text}"`;
}
