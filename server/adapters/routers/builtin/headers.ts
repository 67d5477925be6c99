import type { IncomingMessage } from "node:http";
import type { Side } from "../../../metrics/types.ts";
import { SIDE_COOKIE, SIDE_HEADER, sideCookie } from "./stickiness.ts";

// Connection-scoped headers (RFC 9110 §7.6.1), never forwarded: a client's `Connection: close`
// would otherwise close the pooled upstream socket after every request, and undici refuses them.
// `x-forwarded-*` are replaced by the router's own (the upstream sees the real client).
const DROPPED_REQUEST = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "upgrade", "transfer-encoding", "expect", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-host"]);
// The upstream's own, dropped from the answer for the same reason (the client's connection is ours).
const DROPPED_RESPONSE = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "trailer"]);

const asSide = (v: string): Side | null => {
  const t = v.trim();
  return t === "baseline" || t === "canary" ? t : null;
};

/** The side a `Cookie` header pins, or null. Parsed only when the pin's name appears in it (most requests carry none). */
function cookieSide(cookie: string): Side | null {
  if (!cookie.includes(SIDE_COOKIE)) return null;
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SIDE_COOKIE) {
      const side = asSide(part.slice(eq + 1));
      if (side) return side;
    }
  }
  return null;
}

/** What the router takes from a client's request in one pass over its raw headers. */
export type ForwardedRequest = {
  /** flat [name, value, …] for undici: the client's headers minus connection-scoped ones, plus X-Forwarded-* */
  headers: string[];
  /** the side the client asked to stay on (header first, then cookie), or null for a new client */
  sticky: Side | null;
};

/**
 * One pass over `req.rawHeaders` (never `req.headers`, which Node builds as a new object on
 * first read): the headers to forward as a flat list undici takes as is, and the client's pin.
 * The client's Host is kept, as a proxy in front of one service should.
 */
export function forwardRequest(req: IncomingMessage): ForwardedRequest {
  const raw = req.rawHeaders;
  const headers: string[] = [];
  let listed: Set<string> | null = null;
  let pinned: Side | null = null;
  let cookiePin: Side | null = null;
  let priorFor: string | null = null;
  let host: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const value = raw[i + 1] ?? "";
    const lower = name.toLowerCase();
    if (lower === "connection") {
      // Headers the client named in Connection are hop-by-hop too.
      listed ??= new Set();
      for (const n of value.split(",")) listed.add(n.trim().toLowerCase());
      continue;
    }
    if (DROPPED_REQUEST.has(lower)) continue;
    if (lower === "x-forwarded-for") {
      priorFor = priorFor === null ? value : `${priorFor}, ${value}`;
      continue;
    }
    if (lower === SIDE_HEADER) pinned ??= asSide(value);
    else if (lower === "cookie") cookiePin ??= cookieSide(value);
    else if (lower === "host") host = value;
    headers.push(name, value);
  }
  if (listed) {
    // Rare (a client naming extra hop-by-hop headers): filter afterwards rather than test every header.
    for (let i = headers.length - 2; i >= 0; i -= 2) if (listed.has((headers[i] ?? "").toLowerCase())) headers.splice(i, 2);
  }
  const remote = req.socket.remoteAddress ?? "";
  headers.push("x-forwarded-for", priorFor === null ? remote : `${priorFor}, ${remote}`, "x-forwarded-proto", "http");
  const port = req.socket.localPort;
  if (port) headers.push("x-forwarded-port", String(port));
  if (host !== null) headers.push("x-forwarded-host", host);
  return { headers, sticky: pinned ?? cookiePin };
}

/**
 * The upstream's raw headers (as undici hands them over, before any parsing) for the client:
 * connection-scoped ones dropped, the side header and the pin added after the upstream's own cookies.
 */
export function responseHeaders(raw: Buffer[], side: Side, percent: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  let cookies: string[] | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i]?.toString("latin1") ?? "").toLowerCase();
    if (DROPPED_RESPONSE.has(name)) continue;
    const value = raw[i + 1]?.toString("latin1") ?? "";
    if (name === "set-cookie") (cookies ??= []).push(value);
    else {
      const prior = out[name];
      // A repeated header keeps every value, as Node writes an array as one line each.
      out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
  }
  out[SIDE_HEADER] = side;
  const own = sideCookie(side, percent);
  if (cookies) {
    cookies.push(own);
    out["set-cookie"] = cookies;
  } else {
    out["set-cookie"] = own;
  }
  return out;
}
