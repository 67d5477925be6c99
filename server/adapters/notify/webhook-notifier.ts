import type { Notification, Notifier } from "../../engine/ports.ts";
import type { TServiceContact } from "../../db/service-contacts-schema.ts";
import { assertWebhookEndpoint, postSignedJson, type WebhookEndpoint } from "../routers/webhook/signed-post.ts";

/** Settings of a webhook notifier: a Slack-compatible incoming webhook (or any receiver of that shape). */
export type WebhookNotifierOptions = WebhookEndpoint & {
  /** the dashboard's public base URL; run links are `${publicUrl}/runs/${runId}` */
  publicUrl: string;
  /** told about every notification that could not be delivered; notify() itself never fails */
  onError: (error: Error, notification: Notification) => void;
};

/** A Slack block-kit section with markdown text. */
type SectionBlock = { type: "section"; text: { type: "mrkdwn"; text: string } };
/**
 * The body posted: Slack's incoming-webhook shape. `text` is the fallback for notifications and
 * old clients. `contacts` (a rollback's emergency contacts) is for receivers that page people
 * themselves; Slack ignores it and shows the contacts' section block instead.
 */
export type SlackPayload = { text: string; blocks: SectionBlock[]; contacts?: TServiceContact[] };

const SEVERITY_LABEL: Record<Notification["severity"], string> = {
  info: ":information_source: *Info*",
  warning: ":warning: *Warning*",
  critical: ":rotating_light: *Critical*",
};
// Slack refuses a section whose text exceeds 3000 characters; leave room for the heading line.
const MAX_MESSAGE_CHARS = 2_500;

/**
 * Notifies stakeholders through a webhook (rollback procedure: "notify stakeholders"). Deliveries
 * are signed like the webhook router's (receivers check them with verifyWebhookSignature; Slack
 * ignores the headers), time out and are retried. A failed delivery goes to `onError`: a chat
 * outage must never stop a rollback.
 */
export class WebhookNotifier implements Notifier {
  private readonly publicUrl: string;

  constructor(private readonly options: WebhookNotifierOptions) {
    assertWebhookEndpoint(options);
    this.publicUrl = new URL(options.publicUrl).href.replace(/\/+$/, "");
  }

  async notify(n: Notification): Promise<string[]> {
    try {
      await postSignedJson(this.options, "notification", () => slackPayload(n, this.runLink(n.runId)));
      return ["webhook"];
    } catch (e) {
      try {
        this.options.onError(e instanceof Error ? e : new Error(String(e)), n);
      } catch {
        // A failing error hook must not turn a lost notification into a failed rollback step.
      }
      return [];
    }
  }

  /** The run page for people following the link from chat. */
  runLink(runId: string): string {
    return `${this.publicUrl}/runs/${encodeURIComponent(runId)}`;
  }
}

/** The Slack-compatible body for one notification. */
export function slackPayload(n: Notification, runLink: string): SlackPayload {
  const message = n.message.length > MAX_MESSAGE_CHARS ? `${n.message.slice(0, MAX_MESSAGE_CHARS)}…` : n.message;
  const run = `<${runLink}|Run ${escapeMrkdwn(n.runId)}>`;
  const contacts = n.contacts ?? [];
  const blocks: SectionBlock[] = [{ type: "section", text: { type: "mrkdwn", text: `${SEVERITY_LABEL[n.severity]} · ${run}\n${escapeMrkdwn(message)}` } }];
  // At most 10 contacts of ≤ 360 characters each: well inside a section's 3000.
  if (contacts.length > 0) blocks.push({ type: "section", text: { type: "mrkdwn", text: `*Emergency contacts*\n${contacts.map((c) => `• *${escapeMrkdwn(c.name)}* (${escapeMrkdwn(c.role)}): ${escapeMrkdwn(c.reach)}`).join("\n")}` } });
  const named = contacts.length > 0 ? ` Emergency contacts: ${contacts.map((c) => `${c.name} (${c.role}, ${c.reach})`).join("; ")}.` : "";
  return {
    text: `[${n.severity}] Run ${escapeMrkdwn(n.runId)}: ${escapeMrkdwn(message)}${escapeMrkdwn(named)}`,
    blocks,
    ...(contacts.length > 0 ? { contacts } : {}),
  };
}

// Slack's markdown treats <, > and & as control characters (links, mentions): escape them in our text.
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
