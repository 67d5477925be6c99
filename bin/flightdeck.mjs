#!/usr/bin/env node
// The `flightdeck` command (package.json "bin"): registers tsx so Node runs the TypeScript CLI
// as the server runs its own code (no build step), then hands the process's arguments, streams
// and environment to cli/main.ts and exits with the code it returns (see `flightdeck --help`).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
const code = await main({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Exit now rather than when idle keep-alive sockets close, but only once what we printed has
// reached a piped stdout (writes to pipes are asynchronous; exiting early would cut them off).
await new Promise((resolve) => process.stdout.write("", resolve));
await new Promise((resolve) => process.stderr.write("", resolve));
process.exit(code);
