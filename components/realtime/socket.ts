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
  socket ??= io({ withCredentials: true, reconnectionDelayMax: 5_000 });
  return socket;
}

/** Drops the connection on sign-out: it was authenticated as the person who just left. */
export function closeSocket(): void {
  socket?.disconnect();
  socket = null;
}
