import { z } from "zod";
import { ZHttpUrl } from "../config-fields.ts";

/** One staging page to audit. */
export const ZAuditedPage = z.strictObject({
  /** the page's http(s) URL on staging */
  url: ZHttpUrl,
  /** how findings name the page; default: the URL without its query */
  name: z.string().min(1).optional(),
});
export type TAuditedPage = z.infer<typeof ZAuditedPage>;

/** A browser window size the pages are audited at. */
export const ZViewport = z.strictObject({
  /** how findings name the viewport, e.g. "desktop" */
  name: z.string().min(1),
  /** CSS pixels */
  width: z.number().int().min(200).max(4000),
  height: z.number().int().min(200).max(4000),
  /** a phone: meta viewport honoured, mobile layout; default false */
  isMobile: z.boolean().default(false),
  /** touch events available; default false */
  hasTouch: z.boolean().default(false),
  /** device pixels per CSS pixel; default 1 */
  deviceScaleFactor: z.number().positive().max(4).default(1),
});
export type TViewport = z.infer<typeof ZViewport>;

/** A laptop screen: the keyboard walk uses it (keyboard users are at a desktop). */
export const DESKTOP_VIEWPORT: TViewport = { name: "desktop", width: 1280, height: 800, isMobile: false, hasTouch: false, deviceScaleFactor: 1 };
/** A current phone (iPhone 14/15 class). */
const MOBILE_VIEWPORT: TViewport = { name: "mobile", width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** WCAG 2.1 levels A and AA, as the accessibility policy requires. */
const WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** The accessibility-expert agent's configuration for one service and environment. */
export const ZAccessibilityConfig = z.strictObject({
  /** the staging pages to audit, 1–20 */
  pages: z.array(ZAuditedPage).min(1).max(20),
  /** window sizes every page is audited at; default desktop 1280×800 and mobile 390×844 */
  viewports: z
    .array(ZViewport)
    .min(1)
    .max(4)
    .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, { message: "viewport names must be unique" })
    .default([DESKTOP_VIEWPORT, MOBILE_VIEWPORT]),
  /** axe-core rule tags to run; default WCAG 2.1 A and AA */
  tags: z.array(z.string().min(1)).min(1).default(WCAG_21_AA_TAGS),
  /** a page that has not loaded within this many ms cannot be audited; default 30 000 */
  pageTimeoutMs: z.number().int().positive().max(120_000).default(30_000),
  /** the keyboard focus-order walk: at most `maxTabs` Tab presses per page (default 200); false = not checked (info) */
  keyboard: z
    .union([z.strictObject({ maxTabs: z.number().int().min(1).max(1000).default(200) }), z.literal(false)])
    .default({ maxTabs: 200 }),
});
export type TAccessibilityConfig = z.infer<typeof ZAccessibilityConfig>;
