import type { DomainEvent, Publish } from "./event-map.ts";

/**
 * In-process subscriptions to one run's domain events, for the HTTP API's Server-Sent Events
 * stream. main.ts publishes every domain event here as well as to socket.io (`fanOut`), so both
 * carry the same events with the same sequence numbers. Kept on globalThis: Next's route bundles
 * load this module a second time, and must see the hub main.ts feeds.
 */
export type RunEventListener = (e: DomainEvent) => void;

export class RunEventHub {
  private readonly listeners = new Map<string, Set<RunEventListener>>();

  /** Listens to one run's events until the returned function is called. */
  subscribe(runId: string, listener: RunEventListener): () => void {
    let set = this.listeners.get(runId);
    if (!set) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(runId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(runId);
    };
  }

  /** Hands an event to its run's listeners; one listener that throws never stops the others or the engine. */
  readonly publish: Publish = (e) => {
    const set = this.listeners.get(e.event.runId);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(e);
      } catch (err) {
        console.error("[flightdeck] run event listener failed", err);
      }
    }
  };

  /** How many listeners a run has (tests check that closed streams let go). */
  listenerCount(runId: string): number {
    return this.listeners.get(runId)?.size ?? 0;
  }
}

const store = globalThis as unknown as { __flightdeckRunEventHub?: RunEventHub };

/** The process's hub. */
export function runEventHub(): RunEventHub {
  store.__flightdeckRunEventHub ??= new RunEventHub();
  return store.__flightdeckRunEventHub;
}

/** One publish that hands every event to each of `targets` (socket rooms, the hub). */
export function fanOut(...targets: Publish[]): Publish {
  return (e) => {
    for (const target of targets) target(e);
  };
}
