import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { Db } from "../db/client.ts";
import { runSeq } from "../db/run-repository.ts";
import { userFromHeaders, type SessionUser } from "../auth/session.ts";
import type { ClientToServerEvents, DomainEvent, ServerToClientEvents } from "./event-map.ts";

type SocketData = { user: SessionUser };
export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How often an open socket's session is checked again: a signed-out or re-roled user is dropped within this. */
const REVALIDATE_MS = 3_000;

function headersOf(handshake: { headers: Record<string, string | string[] | undefined> }): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(handshake.headers)) if (typeof v === "string") headers.set(k, v);
  return headers;
}

/** A browser's page on another site names its own origin: only ours may open a socket with our cookie. */
function crossSite(handshake: { headers: Record<string, string | string[] | undefined> }): boolean {
  const origin = handshake.headers.origin;
  if (typeof origin !== "string") return false;
  try {
    return new URL(origin).host !== handshake.headers.host;
  } catch {
    return true;
  }
}

/**
 * socket.io on the dashboard's own port. A client is admitted only with a valid session
 * cookie and from our own origin, then joins rooms: `runs` (the list) and `run:<id>` (one run).
 */
export function attachRealtime(http: HttpServer, db: Db): RealtimeServer {
  const io: RealtimeServer = new Server(http, { serveClient: false, cors: { origin: false } });
  io.use((socket, next) => {
    if (crossSite(socket.handshake)) return next(new Error("cross-site"));
    userFromHeaders(headersOf(socket.handshake))
      .then((user) => {
        if (!user) return next(new Error("unauthenticated"));
        socket.data.user = user;
        next();
      })
      .catch(() => next(new Error("unavailable")));
  });
  // A socket outlives the request that opened it: check its session again, and drop the sockets of
  // people who signed out or whose role changed (their page reconnects with what they may see now).
  const revalidate = setInterval(() => {
    // One session lookup per cookie per sweep: a person's tabs share it.
    const lookups = new Map<string, Promise<SessionUser | null>>();
    for (const socket of io.of("/").sockets.values()) {
      const cookie = String(socket.handshake.headers.cookie ?? "");
      let lookup = lookups.get(cookie);
      if (!lookup) {
        lookup = userFromHeaders(headersOf(socket.handshake));
        lookups.set(cookie, lookup);
      }
      lookup
        .then((user) => {
          if (!user || user.role !== socket.data.user.role) socket.disconnect(true);
        })
        .catch(() => {}); // database briefly unavailable: check again next time
    }
  }, REVALIDATE_MS);
  revalidate.unref();
  io.on("connection", (socket) => {
    socket.on("runs:join", (ack) => {
      void socket.join("runs");
      if (typeof ack === "function") ack({ ok: true });
    });
    socket.on("run:join", (runId, ack) => {
      if (typeof ack !== "function") return;
      if (typeof runId !== "string" || !UUID.test(runId)) return ack({ ok: false, error: "unknown run" });
      // Join first, then read the sequence number: an event published in between is both
      // delivered and counted, so the client's gap check can never miss one.
      void socket.join(`run:${runId}`);
      runSeq(db, runId)
        .then((seq) => {
          if (seq === null) {
            void socket.leave(`run:${runId}`);
            return ack({ ok: false, error: "unknown run" });
          }
          ack({ ok: true, seq });
        })
        .catch(() => ack({ ok: false, error: "database unavailable" }));
    });
    socket.on("run:leave", (runId) => {
      if (typeof runId === "string") void socket.leave(`run:${runId}`);
    });
  });
  return io;
}

/** Maps the engine's domain events to rooms: one module owns this mapping. */
export function publisherFor(io: RealtimeServer): (e: DomainEvent) => void {
  return (e) => {
    switch (e.kind) {
      case "runChanged":
        io.to(`run:${e.event.runId}`).emit("run:changed", e.event);
        io.to("runs").emit("runs:changed", { runId: e.event.runId, status: e.event.status });
        return;
      case "agentLog":
        io.to(`run:${e.event.runId}`).emit("run:log", e.event);
        return;
      case "agentProgress":
        io.to(`run:${e.event.runId}`).emit("run:progress", e.event);
        return;
      case "notification":
        io.to(`run:${e.event.runId}`).emit("run:notification", e.event);
        return;
      case "metrics":
        io.to(`run:${e.event.runId}`).emit("run:metrics", e.event);
        return;
      case "analysis":
        io.to(`run:${e.event.runId}`).emit("run:analysis", e.event);
        return;
      default: {
        const never: never = e;
        throw new Error(`unknown domain event ${JSON.stringify(never)}`);
      }
    }
  };
}
