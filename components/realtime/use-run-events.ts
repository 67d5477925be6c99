"use client";
import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { NotificationEvent } from "@/server/realtime/event-map";
import { runsKey } from "@/components/runs/run-queries";
import { refetchFresh } from "./refetch-fresh";
import { getSocket } from "./socket";

/**
 * Follows one run live (follow-run.ts): joins its room, turns events into cache updates, and
 * refetches whenever it may have missed something. The event schemas load with their own chunk
 * (the run page's first load stays within budget); until they are here the page has not joined
 * the run's room, and joining asks for a refetch if the page missed anything meanwhile.
 */
export function useRunEvents(runId: string, onNotification?: (e: NotificationEvent) => void): void {
  const qc = useQueryClient();
  useEffect(() => {
    let stop: (() => void) | null = null;
    let unmounted = false;
    // In a task of its own: opening the connection (socket.io's manager and its WebSocket) in the
    // commit that hydrates the page made that task, already the page's longest, longer still.
    const start = setTimeout(() => {
      const socket = getSocket();
      if (!socket) return;
      void import("./follow-run").then(({ followRun }) => {
        if (!unmounted) stop = followRun(socket, qc, runId, onNotification);
      });
    }, 0);
    return () => {
      unmounted = true;
      clearTimeout(start);
      stop?.();
    };
  }, [qc, runId, onNotification]);
}

/** Keeps every runs list fresh: any run change refetches ["runs", …]; reconnects resync. */
export function useRunsEvents(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const socket = getSocket();
    if (!socket) return;
    const resync = () => refetchFresh(qc, runsKey());
    const join = () => {
      // Changes between the list's first fetch and joining the room would be lost: refetch once
      // we are in it.
      socket.emit("runs:join", () => resync());
    };
    socket.on("connect", join);
    socket.on("runs:changed", resync);
    if (socket.connected) join();
    return () => {
      socket.off("connect", join);
      socket.off("runs:changed", resync);
    };
  }, [qc]);
}
