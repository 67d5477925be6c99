"use client";
import { useQueryClient } from "@tanstack/react-query";
import type { CheckConfigKey } from "@/server/adapters/checks/config-schemas";
import { updateChecksConfigAction } from "@/server/actions/update-checks-config";
import { servicesKey } from "@/components/runs/run-queries";
import { Button } from "@/components/ui/button";
import { controlClasses, Field } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { FormOutcome } from "@/components/ui/form-outcome";

/** What each key checks, in the procedure's order, with a hint of its main fields. */
const KEYS: { key: CheckConfigKey; what: string }[] = [
  { key: "qa-test-engineer", what: "workspace, testCommand, junitPaths, coverage, openapi, chaosCommand" },
  { key: "security-audit-specialist", what: "reports (npmAudit, sarif, cyclonedx), workspace (secrets scan), urls (OWASP headers, cookies, TLS), compliance.evidenceDir" },
  { key: "devops-engineer", what: "manifestPaths, backup, alertRulePaths, rollbackTarget, featureFlags" },
  { key: "systems-engineer", what: "loadTest (url, sla), memory (metricsUrl), bundle (dir, budgets), databasePool" },
  { key: "accessibility-expert", what: "pages, viewports, tags, keyboard" },
  { key: "post-deploy-health", what: "endpoints, database (dsn — stored encrypted), dependencies, tls, dns" },
  { key: "code-architect", what: "release record: configFiles (baseline, target), releaseNotes" },
];

/**
 * One environment's agent configuration, one JSON document per agent (admins). Empty means not
 * configured. Placeholders are filled per release: {targetVersion}, {baselineVersion}, {service},
 * {environment}, {canaryUrl}, {baselineUrl}.
 */
export function ChecksConfigForm({ serviceId, serviceName, name, checks }: { serviceId: string; serviceName: string; name: string; checks: Partial<Record<CheckConfigKey, string>> }) {
  const qc = useQueryClient();
  const form = useActionForm(
    (values) => {
      const configs = Object.fromEntries(KEYS.map(({ key }) => [key, values[`configs.${key}`] ?? ""]));
      return updateChecksConfigAction({ serviceId, name, configs });
    },
    () => {
      void qc.invalidateQueries({ queryKey: servicesKey });
      return "Saved. The next run uses these checks.";
    },
  );
  return (
    <form onSubmit={form.onSubmit} className="space-y-4" aria-label={`Agent checks for ${serviceName} ${name}`} noValidate>
      <p className="text-sm text-slate-700">
        One JSON object per agent; leave it empty for “not configured” (which production policy blocks until waived). Filled per release:{" "}
        <code className="font-mono">{"{targetVersion}"}</code>, <code className="font-mono">{"{baselineVersion}"}</code>, <code className="font-mono">{"{service}"}</code>,{" "}
        <code className="font-mono">{"{environment}"}</code>, <code className="font-mono">{"{canaryUrl}"}</code>, <code className="font-mono">{"{baselineUrl}"}</code>.
      </p>
      {KEYS.map(({ key, what }) => (
        <Field key={key} label={key} hint={what} error={form.fieldErrors[`configs.${key}`]}>
          {(props) => (
            <textarea {...props} name={`configs.${key}`} defaultValue={checks[key] ?? ""} rows={checks[key] ? Math.min(18, checks[key].split("\n").length + 1) : 3} spellCheck={false} className={`${controlClasses} font-mono text-xs`} />
          )}
        </Field>
      ))}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" pending={form.pending}>
          Save checks
        </Button>
        <FormOutcome error={form.error} done={form.done} />
      </div>
    </form>
  );
}
