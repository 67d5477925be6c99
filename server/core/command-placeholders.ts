/**
 * What a command router's arguments may say: `{weight}` in an argument is replaced by the canary
 * percent, and so on. Each is replaced inside its own argument, once; nothing goes through a shell.
 * Pure (no imports), so the Settings form can show the list without bundling server code.
 */
export const COMMAND_PLACEHOLDERS = ["weight", "baselineWeight", "service", "environment", "runId", "baselineVersion", "canaryVersion"] as const;
export type CommandPlaceholder = (typeof COMMAND_PLACEHOLDERS)[number];
/** `{name}` in an argument: a placeholder when the name is one of COMMAND_PLACEHOLDERS. */
export const PLACEHOLDER_PATTERN = /\{([A-Za-z]+)\}/g;
