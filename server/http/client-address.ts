/**
 * The client's address for throttling: the socket's peer, unless that peer is one of the
 * configured reverse proxies, in which case the right-most X-Forwarded-For entry that is not a
 * trusted proxy. A client that sets X-Forwarded-For itself is ignored — rotating the header
 * does not buy new tries.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: ReadonlySet<string>): string {
  const direct = normalise(peer ?? "unknown");
  if (!trustedProxies.has(direct)) return direct;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const hops = header
    .split(",")
    .map((h) => normalise(h.trim()))
    .filter((h) => h.length > 0 && h.length <= 64);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop !== undefined && !trustedProxies.has(hop)) return hop;
  }
  return direct;
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are one client. */
function normalise(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/** The header the server sets on every request it hands to Next (any client-sent value is replaced). */
export const CLIENT_ADDRESS_HEADER = "x-flightdeck-client-address";
