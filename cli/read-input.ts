import { readFile } from "node:fs/promises";
import { CliError } from "./api-client.ts";
import type { CliContext } from "./context.ts";

/** Largest file or stdin the CLI reads (the metrics API takes 1 MiB; notes far less). */
const MAX_INPUT_BYTES = 1024 * 1024;

/** A file's text, or stdin's with "-"; a missing file or an oversized input is a readable error. */
export async function readInput(ctx: CliContext, path: string, flag: string): Promise<string> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.io.stdin) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      size += buffer.length;
      if (size > MAX_INPUT_BYTES) throw new CliError(`${flag}: stdin is larger than 1 MiB.`);
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    const text = await readFile(path);
    if (text.length > MAX_INPUT_BYTES) throw new CliError(`${flag}: ${path} is larger than 1 MiB.`);
    return text.toString("utf8");
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${flag}: cannot read ${path} (${(e as { code?: string }).code ?? String(e)}).`);
  }
}
