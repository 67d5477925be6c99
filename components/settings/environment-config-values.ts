import type { PublicEnvironmentConfig, PublicHook } from "@/server/db/environment-config-schema";

// The settings form's fields are named after the input's paths ("router.listenPort",
// "hooks.dataMigration.command"), so the server's field errors land on the right control.

/** The flat form values of one environment's settings form → the server action's input. */
export function toEnvironmentConfigInput(values: Record<string, string>, serviceId: string, name: string): unknown {
  const v = (key: string) => values[key]?.trim() ?? "";
  const number = (key: string) => (v(key) === "" ? undefined : Number(v(key)));
  const kind = v("router.kind");
  const router =
    kind === "builtin"
      ? { kind, listenPort: number("router.listenPort"), baselineUrl: v("router.baselineUrl"), canaryUrl: v("router.canaryUrl") }
      : kind === "nginx"
        ? { kind, listenPort: number("router.listenPort"), prefix: v("router.prefix"), baselineUpstream: v("router.baselineUpstream"), canaryUpstream: v("router.canaryUpstream") }
        : kind === "webhook"
          ? { kind, url: v("router.url"), secret: values["router.secret"] ?? "" }
          : kind === "command"
            ? { kind, command: lines(values["router.command"]), timeoutSeconds: number("router.timeoutSeconds"), workingDirectory: v("router.workingDirectory") || undefined }
            : { kind: "manual" };
  const hook = (hookName: string) => {
    const p = `hooks.${hookName}`;
    const hookKind = v(`${p}.kind`);
    if (hookKind === "command") {
      const args = lines(values[`${p}.args`]);
      return { kind: hookKind, command: v(`${p}.command`), args, timeoutMs: number(`${p}.timeoutMs`) };
    }
    if (hookKind === "webhook") return { kind: hookKind, url: v(`${p}.url`), secret: values[`${p}.secret`] ?? "" };
    return null;
  };
  return {
    serviceId,
    name,
    router,
    hooks: { dataMigration: hook("dataMigration"), cacheInvalidation: hook("cacheInvalidation") },
    limits: {
      memoryMb: number("limits.memoryMb"),
      cpuCores: number("limits.cpuCores"),
      // Both fields empty: no business-metric trigger. One filled: the server names what is missing.
      businessMetric:
        v("limits.businessMetric.name") === "" && v("limits.businessMetric.allowedDropPct") === ""
          ? undefined
          : { name: v("limits.businessMetric.name"), allowedDropPct: number("limits.businessMetric.allowedDropPct") ?? Number.NaN },
    },
  };
}

/**
 * A textarea of arguments → argv, one argument per line, taken as typed (spaces and quotes
 * included): no shell-like splitting, so what an admin sees is exactly what the program gets.
 * Empty lines are dropped.
 */
function lines(text: string | undefined): string[] {
  return (text ?? "").split("\n").map((a) => a.replace(/\r$/, "")).filter((a) => a.length > 0);
}

/** One line for a read-only view of a hook. */
export function describeHook(hook: PublicHook): string {
  if (hook === null) return "none";
  if (hook.kind === "command") return `command ${[hook.command, ...hook.args].join(" ")} (timeout ${hook.timeoutMs} ms)`;
  return `webhook ${hook.url} (secret ${hook.secretSet ? "configured" : "not set"})`;
}

/** One line for a read-only view of an environment's router settings. */
export function describeRouter(router: string, config: PublicEnvironmentConfig["router"]): string {
  if (config === null) return router === "manual" ? "manual" : `${router} (not configured here)`;
  switch (config.kind) {
    case "manual":
      return "manual";
    case "builtin":
      return `builtin on port ${config.listenPort}: ${config.baselineUrl} / ${config.canaryUrl}`;
    case "nginx":
      return `nginx on port ${config.listenPort}: ${config.baselineUpstream} / ${config.canaryUpstream}`;
    case "webhook":
      return `webhook ${config.url} (secret ${config.secretSet ? "configured" : "not set"})`;
    case "command":
      return `command ${config.command.join(" ")} (timeout ${config.timeoutSeconds} s)`;
  }
}
