import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/server/realtime/event-map";

export type FlightdeckSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: FlightdeckSocket | null = null;

/**
 * The browser's one socket.io connection (same origin, default path; the session cookie
 * authenticates it). Null on the server: sockets exist only in the browser.
 */
export function getSocket(): FlightdeckSocket | null {
  if (typeof window === "undefined") return null;
  // WebSocket first: its handshake and traffic stay on one connection, so behind a load balancer
  // over several instances no sticky sessions are needed (README, "Running several instances").
  // Long-polling remains the fallback where WebSocket is blocked; that needs a sticky balancer.
  socket ??= io({ withCredentials: true, reconnectionDelayMax: 5_000, transports: ["websocket", "polling"], tryAllTransports: true });
  return socket;
}

/** Drops the connection on sign-out: it was authenticated as the person who just left. */
export function closeSocket(): void {
  socket?.disconnect();
  socket = null;
}
