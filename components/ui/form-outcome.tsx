import { asSentences } from "@/server/core/sentences";

/**
 * A form's outcome next to its submit button: the errors (announced at once, each sentence in its
 * own element so a screen reader pauses between them) or the success message.
 */
export function FormOutcome({ error, done, errorId }: { error: string | readonly string[] | null; done: string | null; errorId?: string }) {
  const errors = error === null ? [] : asSentences(typeof error === "string" ? [error] : error);
  if (errors.length > 0) {
    return (
      <span id={errorId} role="alert" className="inline-flex flex-col text-sm text-red-800">
        {errors.map((message) => (
          <span key={message}>{message}</span>
        ))}
      </span>
    );
  }
  if (done) {
    return (
      <span role="status" className="text-sm text-green-900">
        {done}
      </span>
    );
  }
  return null;
}
