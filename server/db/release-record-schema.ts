import { z } from "zod";
import { RECORD_FORMAT, STATUS_SENSES, type Block, type Fact, type RecordDocument, type Span } from "../core/record/document.ts";
import { isWebAddress } from "../core/record/spans.ts";
import { SEVERITIES } from "../core/types.ts";

/**
 * The stored release record document, checked when it is read: a row edited by hand or written by
 * a newer Flightdeck is refused here (and shown as its Markdown instead), never rendered half-parsed.
 * Typed against the core's document types, so the schema and the types cannot drift apart.
 */

const ZSpan: z.ZodType<Span> = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("text"), text: z.string() }),
  z.strictObject({ kind: z.literal("strong"), text: z.string() }),
  z.strictObject({ kind: z.literal("emphasis"), text: z.string() }),
  z.strictObject({ kind: z.literal("code"), text: z.string() }),
  z.strictObject({ kind: z.literal("status"), text: z.string(), sense: z.enum(STATUS_SENSES) }),
  // Only a web address is ever a link: a stored `javascript:` href fails the whole document.
  z.strictObject({ kind: z.literal("link"), text: z.string(), href: z.string().refine(isWebAddress, "links must be http(s) addresses") }),
]);

const ZFact: z.ZodType<Fact> = z.strictObject({ label: z.string(), value: z.array(ZSpan) });

const ZBlock: z.ZodType<Block> = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("paragraph"), content: z.array(ZSpan) }),
  z.strictObject({ kind: z.literal("facts"), facts: z.array(ZFact) }),
  z.strictObject({ kind: z.literal("list"), ordered: z.boolean(), items: z.array(z.array(ZSpan)) }),
  z.strictObject({ kind: z.literal("table"), caption: z.string(), columns: z.array(z.string()), rows: z.array(z.array(z.array(ZSpan))) }),
  z.strictObject({
    kind: z.literal("findings"),
    findings: z.array(z.strictObject({ severity: z.enum(SEVERITIES), check: z.string().nullable(), message: z.string(), evidence: z.string(), link: z.string().nullable() })),
    more: z.number().int().nonnegative(),
  }),
  z.strictObject({ kind: z.literal("verbatim"), caption: z.string(), text: z.string() }),
  z.strictObject({ kind: z.literal("note"), text: z.string() }),
]);

/** A release record document as stored (the `document` column). */
export const ZRecordDocument: z.ZodType<RecordDocument> = z.strictObject({
  format: z.literal(RECORD_FORMAT),
  title: z.string(),
  summary: z.array(ZFact),
  sections: z.array(
    z.strictObject({
      id: z.string(),
      title: z.string(),
      blocks: z.array(ZBlock),
      subsections: z.array(z.strictObject({ id: z.string(), title: z.string(), blocks: z.array(ZBlock) })),
    }),
  ),
});
