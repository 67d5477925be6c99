/** A form's outcome next to its submit button: the error (announced at once) or the success message. */
export function FormOutcome({ error, done, errorId }: { error: string | null; done: string | null; errorId?: string }) {
  if (error) {
    return (
      <span id={errorId} role="alert" className="text-sm text-red-800">
        {error}
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
