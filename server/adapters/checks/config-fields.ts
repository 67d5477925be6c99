import path from "node:path";
import { z } from "zod";

// Fields every agent's configuration uses, defined once so they all accept the same values.

/** An absolute path on the checking machine, without “..” (configurations name release folders, not escapes from them). */
export const ZAbsolutePath = z
  .string()
  .trim()
  .min(1)
  .max(1_000)
  .refine((p) => path.isAbsolute(p) && !p.split("/").includes(".."), "must be an absolute path without “..”");

/** An http(s) URL (staging pages, metrics endpoints, the baseline's health check). */
export const ZHttpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
