import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address.ts";

const PROXY = new Set(["10.0.0.2"]);

describe("the client's address", () => {
  it("is the socket's peer when no proxy is trusted: a client cannot rotate X-Forwarded-For for new tries", () => {
    expect(clientAddress("203.0.113.7", "1.2.3.4", new Set())).toBe("203.0.113.7");
    expect(clientAddress("::ffff:127.0.0.1", "9.9.9.9, 8.8.8.8", new Set())).toBe("127.0.0.1");
  });

  it("is the right-most untrusted hop when the peer is a trusted proxy", () => {
    expect(clientAddress("10.0.0.2", "198.51.100.4", PROXY)).toBe("198.51.100.4");
    // Whatever the client prepends, the hop the proxy appended wins.
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.4", PROXY)).toBe("198.51.100.4");
    expect(clientAddress("10.0.0.2", ["6.6.6.6", "198.51.100.4, 10.0.0.2"], PROXY)).toBe("198.51.100.4");
  });

  it("falls back to the proxy itself when the header is missing or garbage", () => {
    expect(clientAddress("10.0.0.2", undefined, PROXY)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "x".repeat(500), PROXY)).toBe("10.0.0.2");
  });
});
