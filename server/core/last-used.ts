/**
 * New run starts from the service and environment the person last released, not the first
 * service in the list. The browser stores what it sent; a stored value is trusted only if it
 * still names a service and environment that exist.
 */
export type LastUsed = { serviceId: string; environment: string };

export function parseLastUsed(raw: string | null): LastUsed | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === "object" && v !== null && "serviceId" in v && "environment" in v && typeof v.serviceId === "string" && typeof v.environment === "string") {
      return { serviceId: v.serviceId, environment: v.environment };
    }
  } catch {
    // A hand-edited or old value: fall back to the first service.
  }
  return null;
}

export function pickDefaults(saved: LastUsed | null, serviceIds: readonly string[], environments: readonly string[]): LastUsed {
  const serviceId = saved && serviceIds.includes(saved.serviceId) ? saved.serviceId : (serviceIds[0] ?? "");
  const environment = saved && environments.includes(saved.environment) ? saved.environment : (environments[0] ?? "");
  return { serviceId, environment };
}
