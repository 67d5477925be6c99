/**
 * Field errors arrive from zod and from actions as fragments ("must not be empty", "Too long").
 * A screen reader reads the hint and the errors back to back, so each one must be a sentence of
 * its own: capital first letter, closing full stop, never glued to its neighbour.
 */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  // A message that starts with a field's path ("loadTest.url: must be…") keeps it as written.
  const firstWord = trimmed.split(/\s/, 1)[0] ?? "";
  const capital = /^[a-z]+[,;]?$/.test(firstWord) ? trimmed.charAt(0).toUpperCase() + trimmed.slice(1) : trimmed;
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** Every message as its own sentence, empty and repeated messages dropped. */
export function asSentences(messages: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    const s = asSentence(m);
    if (s !== "" && !out.includes(s)) out.push(s);
  }
  return out;
}
