import dgram from "node:dgram";
import net from "node:net";

// Service tests talk to loopback only (real servers, resolvers and databases started by the
// tests themselves). A test that reaches for any other address is a bug — it would depend on the
// network, or leak traffic from CI — so the attempt fails loudly here instead of timing out.

const LOOPBACK_IP = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/i;

/** Loopback IPs, and `localhost`; any other name would be resolved and leave the machine. */
function isLoopback(host: string): boolean {
  return net.isIP(host) !== 0 ? LOOPBACK_IP.test(host) : /^(localhost|.+\.localhost)$/i.test(host);
}

function assertLoopback(host: string, what: string): void {
  if (!isLoopback(host)) throw new Error(`${what} to ${host} refused: service tests may only reach loopback addresses`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  // net.connect() hands over its normalized arguments as one array: [options, callback].
  const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const options = typeof first === "object" && first !== null ? (first as net.TcpNetConnectOpts & net.IpcNetConnectOpts) : null;
  // A Unix socket path is local by nature.
  if (!(options && "path" in options && options.path)) {
    const host = options ? (options.host ?? "localhost") : typeof second === "string" ? second : "localhost";
    assertLoopback(host, "TCP connection");
  }
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
  const address = args.find((a, i) => i > 0 && typeof a === "string" && net.isIP(a) !== 0) as string | undefined;
  if (address !== undefined) assertLoopback(address, "UDP datagram");
  return (send as (...a: unknown[]) => void).apply(this, args);
} as typeof dgram.Socket.prototype.send;
