import { z } from "zod";
import { ZRouterConfigInput } from "../db/environment-config-schema.ts";
import { isValidTimeZone, windowProblems } from "../core/regions.ts";

// What the Settings regions form submits for one environment: its whole list of regions (each
// with its wave, IANA time zone, allowed windows in local time and its own router) and the
// policy for a failing region. Kept apart from the service so the form can import it without Prisma.

export const ZRegionWindow = z.object({
  /** ISO weekdays, 1 = Monday … 7 = Sunday */
  days: z.array(z.number().int("Days are 1–7").min(1, "Days are 1 (Monday) to 7 (Sunday)").max(7, "Days are 1 (Monday) to 7 (Sunday)")).min(1, "Pick at least one day").max(7),
  /** local time, HH:MM */
  from: z.string().trim(),
  /** local time, HH:MM, after `from` (no overnight windows) */
  to: z.string().trim(),
});
export type TRegionWindow = z.infer<typeof ZRegionWindow>;

export const ZRegionInput = z
  .object({
    name: z
      .string()
      .trim()
      .min(2, "At least 2 characters")
      .max(40, "At most 40 characters")
      .regex(/^[a-z0-9][a-z0-9-]*$/, "Lower-case letters, digits and hyphens, e.g. eu-west"),
    wave: z.number({ error: "Enter a wave number" }).int("Enter a whole number").min(1, "Waves are 1–100").max(100, "Waves are 1–100"),
    timeZone: z.string().trim().refine(isValidTimeZone, "Enter an IANA time zone, e.g. Europe/Dublin or Australia/Sydney"),
    /** allowed windows in local time; none = any time */
    windows: z.array(ZRegionWindow).max(14, "At most 14 windows").default([]),
    /** the region's own router ("manual" is a router: an operator confirms each weight) */
    router: z
      .custom<unknown>((v) => typeof v === "object" && v !== null && "kind" in v, "Every region needs a router (manual is one: an operator confirms each weight)")
      .pipe(ZRouterConfigInput),
  })
  .superRefine((r, ctx) => {
    for (const [key, messages] of Object.entries(windowProblems(r.windows))) {
      for (const message of messages) ctx.addIssue({ code: "custom", message, path: key.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)) });
    }
  });
export type TRegionInput = z.infer<typeof ZRegionInput>;

export const ZRegionPolicy = z.object({ rollbackReleasedRegions: z.boolean() });

export const ZRegionsInput = z
  .object({
    serviceId: z.string().min(1).max(100),
    environment: z.enum(["staging", "production"]),
    policy: ZRegionPolicy,
    regions: z.array(ZRegionInput).max(20, "At most 20 regions"),
  })
  .superRefine((input, ctx) => {
    const seen = new Map<string, number>();
    input.regions.forEach((r, i) => {
      const first = seen.get(r.name);
      if (first !== undefined) ctx.addIssue({ code: "custom", message: `Region ${first + 1} is already called ${r.name}`, path: ["regions", i, "name"] });
      else seen.set(r.name, i);
    });
    // Two built-in routers cannot listen on one port.
    const ports = new Map<number, number>();
    input.regions.forEach((r, i) => {
      if (r.router.kind !== "builtin" && r.router.kind !== "nginx") return;
      const first = ports.get(r.router.listenPort);
      if (first !== undefined) ctx.addIssue({ code: "custom", message: `Region ${first + 1}'s router already listens on ${r.router.listenPort}`, path: ["regions", i, "router", "listenPort"] });
      else ports.set(r.router.listenPort, i);
    });
  });
export type TRegionsInput = z.infer<typeof ZRegionsInput>;
