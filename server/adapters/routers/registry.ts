import type { RouterKind } from "../../core/types.ts";
import type { RouteTarget, TrafficRouter } from "../../engine/ports.ts";

/**
 * The traffic routers this process runs, by service and environment. A run asks for the router
 * of its own service and environment; the manual router needs none (operators confirm).
 */
export class RouterRegistry {
  private readonly routers = new Map<string, { kind: RouterKind; router: TrafficRouter }>();

  register(service: string, environment: string, kind: RouterKind, router: TrafficRouter): void {
    this.routers.set(`${service}/${environment}`, { kind, router });
  }

  unregister(service: string, environment: string): void {
    this.routers.delete(`${service}/${environment}`);
  }

  routerFor(kind: string, target: RouteTarget): TrafficRouter | null {
    const entry = this.routers.get(`${target.service}/${target.environment}`);
    return entry && entry.kind === kind ? entry.router : null;
  }
}
