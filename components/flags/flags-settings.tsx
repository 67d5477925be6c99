"use client";
import { useState } from "react";
import type { ServiceItem } from "@/server/services/services-and-environments";
import { EnvironmentFlags } from "./environment-flags";

/**
 * Settings → Feature flags (admins): per service and environment, the flags OpenFeature clients
 * read over OFREP. Each environment's flags load when its part is opened, so a long services
 * list costs nothing until someone looks.
 */
export function FlagsSettings({ services }: { services: ServiceItem[] }) {
  return (
    <section aria-labelledby="flags-title" className="space-y-4">
      <h2 id="flags-title" className="text-lg font-semibold text-slate-900">
        Feature flags
      </h2>
      {services.length === 0 ? <p className="text-sm text-slate-700">No services yet.</p> : null}
      {services.map((s) =>
        s.environments.map((env) => <EnvironmentPart key={env.id} service={s} environment={env.name === "production" ? "production" : "staging"} />),
      )}
    </section>
  );
}

function EnvironmentPart({ service, environment }: { service: ServiceItem; environment: "staging" | "production" }) {
  const [open, setOpen] = useState(false);
  const place = `${service.name} ${environment}`;
  return (
    <details className="rounded-md border border-slate-200 bg-white" onToggle={(e) => setOpen(e.currentTarget.open)} data-testid={`flags-section-${service.slug}-${environment}`}>
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">
        Flags of {service.name} · {environment}
      </summary>
      <div className="p-3">{open ? <EnvironmentFlags serviceId={service.id} serviceSlug={service.slug} environment={environment} place={place} /> : null}</div>
    </details>
  );
}
