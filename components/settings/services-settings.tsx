"use client";
import type { ServiceItem } from "@/server/services/services-and-environments";
import { Card } from "@/components/ui/card";
import { EnvironmentHoldForm, describeHoldScale } from "./environment-hold-form";
import { describeBlockingSeverity, GatePolicyForm } from "./gate-policy-form";
import { AnalysisPolicyForm } from "./analysis-policy-form";
import { ChecksConfigForm } from "./checks-config-form";
import { EnvironmentConfigForm } from "./environment-config-form";
import { RegionsSettings } from "@/components/regions/regions-settings";
import { ServiceContactsForm } from "./service-contacts-form";
import { MetricSourceSection } from "./metric-source-form";
import { describeHook, describeRouter } from "./environment-config-values";

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** One service with its environments; admins may change hold scales, blocking findings, routers, rollback hooks and limits. */
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
              <th scope="col" className={th}>Blocking findings</th>
              <th scope="col" className={th}>Router</th>
              <th scope="col" className={th}>Rollback hooks</th>
              <th scope="col" className={th}>Limits</th>
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
                    <span>{describeHoldScale(env.holdScale) || String(env.holdScale)}</span>
                  )}
                </td>
                <td className={td}>
                  {canManage ? (
                    <GatePolicyForm serviceId={service.id} serviceName={service.name} name={env.name} blockingSeverity={env.blockingSeverity} />
                  ) : (
                    describeBlockingSeverity(env.blockingSeverity)
                  )}
                </td>
                <td className={td}>{describeRouter(env.router, env.config?.router ?? null)}</td>
                {env.config ? (
                  <>
                    <td className={td}>
                      data migration: {describeHook(env.config.hooks.dataMigration)}
                      <br />
                      cache/CDN: {describeHook(env.config.hooks.cacheInvalidation)}
                    </td>
                    <td className={`${td} tabular-nums`}>
                      {env.config.limits.memoryMb !== undefined ? `${env.config.limits.memoryMb} MB` : "default memory"} ·{" "}
                      {env.config.limits.cpuCores !== undefined ? `${env.config.limits.cpuCores} cores` : "default CPU"}
                    </td>
                  </>
                ) : (
                  <td className={`${td} text-slate-600`} colSpan={2}>
                    Shown to admins
                  </td>
                )}
                <td className={td}>{env.checksConfigured.length > 0 ? env.checksConfigured.join(", ") : "none"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canManage && service.contacts ? (
        <details className="mt-3 rounded-md border border-slate-200">
          <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">
            Emergency contacts ({service.contacts.length === 0 ? "none set" : service.contacts.map((c) => c.name).join(", ")})
          </summary>
          <div className="p-3">
            <ServiceContactsForm serviceId={service.id} serviceName={service.name} contacts={service.contacts} />
          </div>
        </details>
      ) : null}
      {canManage
        ? service.environments.map((env) => (
            <details key={env.id} className="mt-3 rounded-md border border-slate-200">
              <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">Configure {env.name}: router, rollback hooks, limits</summary>
              <div className="p-3">
                {env.config ? <EnvironmentConfigForm serviceId={service.id} serviceName={service.name} name={env.name} config={env.config} /> : null}
                <details className="mt-4 rounded-md border border-slate-200"><summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">Regions of {env.name}</summary><div className="p-3"><RegionsSettings serviceId={service.id} serviceName={service.name} environment={env.name === "production" ? "production" : "staging"} /></div></details>
              </div>
            </details>
          ))
        : null}
      {canManage
        ? service.environments.map((env) => (
            <details key={`analysis-${env.id}`} className="mt-3 rounded-md border border-slate-200">
              <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">Configure {env.name}: analysis policy</summary>
              <div className="p-3">
                <AnalysisPolicyForm environmentId={env.id} label={`${service.name} ${env.name}`} policy={env.analysisPolicy} />
              </div>
            </details>
          ))
        : null}
      {canManage ? service.environments.map((env) => <MetricSourceSection key={`metric-source-${env.id}`} environmentId={env.id} label={env.name} />) : null}
      {canManage
        ? service.environments.map((env) => (
            <details key={`checks-${env.id}`} className="mt-3 rounded-md border border-slate-200">
              <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">Configure {env.name}: agent checks</summary>
              <div className="p-3">
                <ChecksConfigForm serviceId={service.id} serviceName={service.name} name={env.name} checks={env.checks} />
              </div>
            </details>
          ))
        : null}
    </Card>
  );
}
