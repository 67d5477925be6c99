import { createHmac, timingSafeEqual } from "node:crypto";

/** Header carrying the delivery time in unix seconds; it is part of the signed text. */
export const TIMESTAMP_HEADER = "x-flightdeck-timestamp";
/** Header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = "x-flightdeck-signature";
/** Header carrying one id per logical delivery, the same on every retry, so receivers can deduplicate. */
export const DELIVERY_HEADER = "x-flightdeck-delivery";

/** How far a receiver's clock may be from the sender's before a delivery counts as replayed (5 min). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/;
const TIMESTAMP_FORMAT = /^\d{1,12}$/;

/** A raw header value as node:http gives it; a repeated header arrives as an array. */
type HeaderValue = string | readonly string[] | undefined;

/**
 * The signature header value for a delivery. The timestamp is signed together with the body so a
 * captured request cannot be replayed later with a fresh timestamp.
 */
export function signWebhookPayload(secret: string, timestamp: number | string, body: string | Uint8Array): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
  return `sha256=${mac}`;
}

/**
 * Whether a delivery is authentic and fresh. Receivers pass the raw headers and the raw body
 * exactly as received (re-serialised JSON may differ byte for byte). Deliveries whose timestamp is
 * more than `toleranceSeconds` away from `nowSeconds`, in either direction, are rejected as replays.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: HeaderValue | number,
  body: string | Uint8Array,
  signature: HeaderValue,
  nowSeconds: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  // A repeated header is ambiguous: which copy was signed is up to whoever added the second one.
  if (typeof signature !== "string") return false;
  const ts = typeof timestamp === "number" ? String(timestamp) : timestamp;
  if (typeof ts !== "string" || !TIMESTAMP_FORMAT.test(ts)) return false;
  if (Math.abs(nowSeconds - Number(ts)) > toleranceSeconds) return false;
  const given = SIGNATURE_FORMAT.exec(signature)?.[1];
  if (given === undefined) return false;
  const expected = signWebhookPayload(secret, ts, body).slice("sha256=".length);
  // Both are 64 hex characters here, as timingSafeEqual requires equal lengths.
  return timingSafeEqual(Buffer.from(given, "hex"), Buffer.from(expected, "hex"));
}
