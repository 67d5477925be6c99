/** Error codes and the HTTP status each maps to. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** existed, and no longer does (an expired or revoked share link) */
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  /** a body in a media type the route does not read (HTTP API: JSON only) */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** understood but refused as it stands (an Idempotency-Key reused with another body) */
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The one error type the server throws on purpose. `userMessage` is safe to show; `message`
 * (with details) goes to the log only.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly fieldErrors: Record<string, string[]> | undefined;
  constructor(code: ErrorCode, opts: { message: string; userMessage: string; fieldErrors?: Record<string, string[]> }) {
    super(opts.message);
    this.code = code;
    this.userMessage = opts.userMessage;
    this.fieldErrors = opts.fieldErrors;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

const DATABASE_DOWN = /ECONNREFUSED|ECONNRESET|57P01|57P03|Connection terminated|connect ETIMEDOUT|DatabaseNotReachable|P1001|the database system is (starting|shutting)|Can't reach database server|Failed to get session/i;

/**
 * Whether an error means PostgreSQL could not be reached (shown as "database unavailable").
 * Looks down the cause chain: Better Auth wraps the database error ("Failed to get session").
 */
export function isDatabaseDown(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const text = `${(cur as { code?: string }).code ?? ""} ${(cur as Error).message ?? ""} ${String((cur as { cause?: unknown }).cause ?? "")}`;
    if (DATABASE_DOWN.test(text)) return true;
  }
  return false;
}

/**
 * PostgreSQL refusing text it cannot store: a NUL character (22021) or a lone UTF-16 surrogate
 * in JSON (22P05). The write's transaction is rolled back; the sender's text is at fault.
 */
const UNSTORABLE_TEXT = /\b22021\b|\b22P05\b|invalid byte sequence for encoding "UTF8": 0x00|unsupported Unicode escape sequence|\\u0000 cannot be converted to text/;

function isUnstorableText(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const meta = (cur as { meta?: unknown }).meta;
    const text = `${(cur as { code?: string }).code ?? ""} ${(cur as Error).message ?? ""} ${meta ? JSON.stringify(meta) : ""}`;
    if (UNSTORABLE_TEXT.test(text)) return true;
  }
  return false;
}

/** Maps anything thrown to what a client may see; unknown errors become a generic 500. */
export function toPublicError(e: unknown): { status: number; code: ErrorCode; message: string; fieldErrors?: Record<string, string[]> } {
  if (e instanceof AppError) return { status: e.status, code: e.code, message: e.userMessage, fieldErrors: e.fieldErrors };
  if (isUnstorableText(e)) return { status: 400, code: "BAD_REQUEST", message: "The text contains a character that cannot be stored (a NUL or an unpaired surrogate). Remove it and try again." };
  if (isDatabaseDown(e)) return { status: 503, code: "UNAVAILABLE", message: "The database is unreachable right now; retrying." };
  console.error("[flightdeck] unexpected error", e);
  return { status: 500, code: "INTERNAL", message: "Something went wrong on the server." };
}
