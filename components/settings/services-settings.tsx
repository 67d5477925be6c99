"use client";
import type { ServiceItem } from "@/server/services/catalog";
import { Card } from "@/components/ui/card";
import { EnvironmentHoldForm } from "./environment-hold-form";

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** One service with its environments; admins may change hold scales. */
export function ServiceSettings({ service, canManage }: { service: ServiceItem; canManage: boolean }) {
  return (
    <Card title={service.name} level={3} id={`service-${service.slug}`}>
      <p className="text-sm text-slate-700">
        <span className="font-mono">{service.slug}</span> · current version <span className="font-mono">{service.currentVersion}</span>
        {service.description ? ` · ${service.description}` : ""}
      </p>
      <div className="mt-3 overflow-x-auto" role="region" aria-label={`${service.name} environments`} tabIndex={0}>
        <table className="min-w-full">
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className={th}>Environment</th>
              <th scope="col" className={th}>Hold scale</th>
              <th scope="col" className={th}>Router</th>
              <th scope="col" className={th}>Checks configured</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {service.environments.map((env) => (
              <tr key={env.id}>
                <th scope="row" className={`${td} text-left font-medium text-slate-900`}>
                  {env.name}
                </th>
                <td className={td}>
                  {canManage ? (
                    <EnvironmentHoldForm serviceId={service.id} serviceName={service.name} name={env.name} holdScale={env.holdScale} />
                  ) : (
                    <span className="tabular-nums">{env.holdScale}</span>
                  )}
                </td>
                <td className={td}>{env.router}</td>
                <td className={td}>{env.checksConfigured.length > 0 ? env.checksConfigured.join(", ") : "none"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
