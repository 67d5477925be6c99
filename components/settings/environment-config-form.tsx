"use client";
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { PublicEnvironmentConfig, RouterConfigKind } from "@/server/db/environment-config-schema";
import { updateEnvironmentConfigAction } from "@/server/actions/update-environment-config";
import { servicesKey } from "@/components/runs/run-queries";
import { Button } from "@/components/ui/button";
import { controlClasses, Field } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { toEnvironmentConfigInput } from "./environment-config-values";
import { HookFieldset, SecretField } from "./hook-fieldset";
import { CommandRouterFields } from "./command-router-fields";
import { FormOutcome } from "@/components/ui/form-outcome";

/** One environment's traffic router, rollback hooks and resource limits (admins). */
export function EnvironmentConfigForm({ serviceId, serviceName, name, config }: { serviceId: string; serviceName: string; name: string; config: PublicEnvironmentConfig }) {
  const qc = useQueryClient();
  const form = useActionForm(
    (values) => updateEnvironmentConfigAction(toEnvironmentConfigInput(values, serviceId, name)),
    () => {
      void qc.invalidateQueries({ queryKey: servicesKey });
      return "Saved. Routers were reloaded.";
    },
  );
  const router = config.router;
  const [kind, setKind] = useState<RouterConfigKind>(router?.kind ?? "manual");
  const err = (field: string) => form.fieldErrors[field];
  const text = (value: string | number | undefined) => (value === undefined ? "" : String(value));
  return (
    <form onSubmit={form.onSubmit} className="space-y-4" aria-label={`Router, hooks and limits for ${serviceName} ${name}`} noValidate>
      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-semibold text-slate-900">Traffic router</legend>
        <Field label="Router" error={err("router.kind")}>
          {(props) => (
            <select {...props} name="router.kind" value={kind} onChange={(e) => setKind(e.target.value as RouterConfigKind)} className={controlClasses}>
              <option value="manual">Manual (an operator confirms each weight)</option>
              <option value="builtin">Built-in proxy</option>
              <option value="nginx">nginx</option>
              <option value="webhook">Signed webhook to your deploy system</option>
              <option value="command">Command on the Flightdeck server (kubectl, Argo Rollouts, …)</option>
            </select>
          )}
        </Field>
        {kind === "builtin" || kind === "nginx" ? (
          <Field label="Listen port" hint="On 127.0.0.1." error={err("router.listenPort")}>
            {(props) => (
              <input {...props} name="router.listenPort" type="number" min={1} max={65_535} step={1} defaultValue={text(router && "listenPort" in router ? router.listenPort : undefined)} className={controlClasses} />
            )}
          </Field>
        ) : null}
        {kind === "builtin" ? (
          <>
            <Field label="Baseline URL" hint="e.g. http://127.0.0.1:4001" error={err("router.baselineUrl")}>
              {(props) => <input {...props} name="router.baselineUrl" type="url" defaultValue={router?.kind === "builtin" ? router.baselineUrl : ""} className={controlClasses} />}
            </Field>
            <Field label="Canary URL" hint="e.g. http://127.0.0.1:4002" error={err("router.canaryUrl")}>
              {(props) => <input {...props} name="router.canaryUrl" type="url" defaultValue={router?.kind === "builtin" ? router.canaryUrl : ""} className={controlClasses} />}
            </Field>
          </>
        ) : null}
        {kind === "nginx" ? (
          <>
            <Field label="Prefix (absolute directory)" hint="nginx's working directory: conf/, logs/, tmp/." error={err("router.prefix")}>
              {(props) => <input {...props} name="router.prefix" defaultValue={router?.kind === "nginx" ? router.prefix : ""} className={`${controlClasses} font-mono`} />}
            </Field>
            <Field label="Baseline upstream (host:port)" error={err("router.baselineUpstream")}>
              {(props) => <input {...props} name="router.baselineUpstream" defaultValue={router?.kind === "nginx" ? router.baselineUpstream : ""} className={`${controlClasses} font-mono`} />}
            </Field>
            <Field label="Canary upstream (host:port)" error={err("router.canaryUpstream")}>
              {(props) => <input {...props} name="router.canaryUpstream" defaultValue={router?.kind === "nginx" ? router.canaryUpstream : ""} className={`${controlClasses} font-mono`} />}
            </Field>
          </>
        ) : null}
        {kind === "webhook" ? (
          <>
            <Field label="Webhook URL" error={err("router.url")}>
              {(props) => <input {...props} name="router.url" type="url" defaultValue={router?.kind === "webhook" ? router.url : ""} className={controlClasses} autoComplete="off" />}
            </Field>
            <SecretField name="router.secret" secretSet={router?.kind === "webhook" && router.secretSet} error={err("router.secret")} />
          </>
        ) : null}
        {kind === "command" ? <CommandRouterFields router={router?.kind === "command" ? router : null} errors={form.fieldErrors} /> : null}
      </fieldset>

      <HookFieldset name="dataMigration" hook={config.hooks.dataMigration} errors={form.fieldErrors} />
      <HookFieldset name="cacheInvalidation" hook={config.hooks.cacheInvalidation} errors={form.fieldErrors} />

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-semibold text-slate-900">Resource limits</legend>
        <p className="text-xs text-slate-700">The CPU and memory triggers roll back when a version exceeds its limit. Empty uses the default.</p>
        <Field label="Memory limit (MB)" error={err("limits.memoryMb")}>
          {(props) => <input {...props} name="limits.memoryMb" type="number" min={1} step={1} defaultValue={text(config.limits.memoryMb)} className={controlClasses} />}
        </Field>
        <Field label="CPU limit (cores)" error={err("limits.cpuCores")}>
          {(props) => <input {...props} name="limits.cpuCores" type="number" min={0} step="any" defaultValue={text(config.limits.cpuCores)} className={controlClasses} />}
        </Field>
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-semibold text-slate-900">Business metric</legend>
        <p className="text-xs text-slate-700">
          Rolls back when the canary converts credibly less than the baseline minus the allowed drop (conversions posted to the metrics API). Leave both empty for none.
        </p>
        <Field label="Metric name" error={err("limits.businessMetric.name")}>
          {(props) => <input {...props} name="limits.businessMetric.name" type="text" defaultValue={config.limits.businessMetric?.name ?? ""} className={controlClasses} />}
        </Field>
        <Field label="Allowed drop (%)" error={err("limits.businessMetric.allowedDropPct")}>
          {(props) => (
            <input {...props} name="limits.businessMetric.allowedDropPct" type="number" min={1} max={90} step="any" defaultValue={text(config.limits.businessMetric?.allowedDropPct)} className={controlClasses} />
          )}
        </Field>
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" pending={form.pending}>
          Save {name} settings
        </Button>
        <FormOutcome error={form.error} done={form.done} />
      </div>
    </form>
  );
}
