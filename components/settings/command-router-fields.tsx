"use client";
import type { PublicRouterConfig } from "@/server/db/environment-config-schema";
import { COMMAND_PLACEHOLDERS } from "@/server/core/command-placeholders";
import { controlClasses, Field } from "@/components/ui/field";

type CommandRouterConfig = Extract<PublicRouterConfig, { kind: "command" }>;

const ENV_VARS = "FLIGHTDECK_WEIGHT, _BASELINE_WEIGHT, _SERVICE, _ENVIRONMENT, _RUN_ID, _BASELINE_VERSION, _CANARY_VERSION";

/** The command router's settings: argv one per line, its time limit and working directory. */
export function CommandRouterFields({ router, errors }: { router: CommandRouterConfig | null; errors: Record<string, string[]> }) {
  // An issue on one argument (`router.command.3`) belongs to the whole command field.
  const commandErrors = Object.entries(errors)
    .filter(([key]) => key === "router.command" || key.startsWith("router.command."))
    .flatMap(([, messages]) => messages);
  return (
    <>
      <p className="rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-950" role="note">
        This command runs on the Flightdeck server, as the server&apos;s user, at every weight change. Only admins can set it; give it only what it needs (a
        kubeconfig limited to the route it patches).
      </p>
      <Field
        label="Command (one argument per line)"
        hint={
          <>
            Line 1 is the program&apos;s absolute path, e.g. /usr/local/bin/kubectl. Each line is passed as one argument exactly as typed; no shell runs it, so quotes
            and spaces stay literal. Placeholders replaced inside an argument: {COMMAND_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}. The program also gets {ENV_VARS}.
            Exit code 0 means the weight is applied.
          </>
        }
        error={commandErrors.length > 0 ? commandErrors : undefined}
      >
        {(props) => <textarea {...props} name="router.command" rows={6} defaultValue={router ? router.command.join("\n") : ""} className={`${controlClasses} font-mono`} spellCheck={false} />}
      </Field>
      <Field label="Timeout (seconds, 1–300)" hint="A command still running then is killed with what it started, and the weight change fails." error={errors["router.timeoutSeconds"]}>
        {(props) => <input {...props} name="router.timeoutSeconds" type="number" min={1} max={300} step={1} defaultValue={router ? router.timeoutSeconds : 30} className={controlClasses} />}
      </Field>
      <Field label="Working directory (optional, absolute)" error={errors["router.workingDirectory"]}>
        {(props) => <input {...props} name="router.workingDirectory" defaultValue={router?.workingDirectory ?? ""} className={`${controlClasses} font-mono`} autoComplete="off" />}
      </Field>
    </>
  );
}
