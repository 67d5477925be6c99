/**
 * A Server-Sent Events parser (the WHATWG "event stream interpretation"), fed decoded text in
 * whatever pieces the network delivers: lines end in LF, CRLF or CR; an empty line dispatches;
 * lines starting with ":" are comments (the server's keep-alive).
 */

/** One dispatched event. `id` is this event's own `id:` field (null when it had none). */
export type SseMessage = { id: string | null; event: string; data: string; retry: number | null };

export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | null = null;
  private retry: number | null = null;
  private sawField = false;

  /** Feeds text; returns the events it completed. */
  push(text: string): SseMessage[] {
    this.buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\n|\r/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the very end may be the first half of a CRLF still on its way.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") {
      if (!this.sawField) return null;
      const message = { id: this.id, event: this.event || "message", data: this.data.join("\n"), retry: this.retry };
      this.data = [];
      this.event = "";
      this.id = null;
      this.retry = null;
      this.sawField = false;
      // An event with no data is not dispatched (spec); a retry hint alone still counts for us.
      return message.data !== "" || message.retry !== null ? message : null;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.sawField = true;
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\u0000")) this.id = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
      // unknown fields are ignored (spec)
    }
    return null;
  }
}
