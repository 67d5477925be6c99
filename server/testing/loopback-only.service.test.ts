import { connect } from "node:net";
import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { request } from "undici";

// The guard every service test runs under: no traffic beyond loopback.
describe("service tests stay on loopback", () => {
  it("refuses a TCP connection to another address, by IP or by name, before any packet leaves", async () => {
    expect(() => connect({ host: "203.0.113.7", port: 80 })).toThrow(/203\.0\.113\.7 refused: service tests may only reach loopback addresses/);
    expect(() => connect(443, "example.com")).toThrow(/example\.com refused/);
    await expect(request("http://198.51.100.1:8080/")).rejects.toThrow(/refused: service tests may only reach loopback/);
  });

  it("refuses a UDP datagram (a DNS query) to another resolver", () => {
    const socket = createSocket("udp4");
    try {
      expect(() => socket.send(Buffer.from("q"), 53, "192.0.2.53")).toThrow(/192\.0\.2\.53 refused/);
    } finally {
      socket.close();
    }
  });
});
