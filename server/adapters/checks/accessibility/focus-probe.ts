import { z } from "zod";

/**
 * In-page half of the keyboard walk, as JavaScript source. A string on purpose: the server runs
 * under tsx, whose esbuild `keepNames` wraps inner functions in `__name(…)` calls, and a function
 * passed to `page.evaluate` would then throw "__name is not defined" inside the page.
 *
 * It installs `globalThis.__flightdeckFocus` with:
 * - `start()`: remembers the visible, enabled interactive elements (in DOM order) and blurs any
 *   autofocused one so the walk starts at the top; answers how many there are.
 * - `stop()`: describes the focused element and whether focus *looks* different: it compares the
 *   element's outline, shadow, border, background, colour, position… (plus its ::before/::after
 *   and its parent, for :focus-within styles) focused and blurred, then focuses it again so the
 *   next Tab continues from it. Finite CSS transitions are awaited first (at most 1 s).
 * - `unreached(reached)`: the remembered elements no Tab reached, except a radio whose group was
 *   reached, an element of a composite widget (tabs, toolbar, menu, listbox, grid, tree) that was
 *   entered (arrow keys move inside those), and a link whose target another reached link shares.
 */
export const FOCUS_PROBE = String.raw`(() => {
  if (globalThis.__flightdeckFocus) return;
  const INTERACTIVE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"]), summary, [contenteditable]:not([contenteditable="false"])';
  const COMPOSITE = '[role="tablist"], [role="toolbar"], [role="menu"], [role="menubar"], [role="radiogroup"], [role="listbox"], [role="grid"], [role="tree"], [role="treegrid"]';
  const LOOK = ["box-shadow", "border-top-style", "border-top-width", "border-top-color", "border-bottom-style", "border-bottom-width", "border-bottom-color", "border-left-color", "border-right-color", "background-color", "background-image", "color", "text-decoration-line", "opacity", "transform", "clip-path"];
  const ids = new Map();
  let candidates = [];

  const usable = (el) => {
    if (el.matches(":disabled") || el.closest("[inert]")) return false;
    if (el instanceof HTMLInputElement && el.type === "hidden") return false;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const text = (s) => (s || "").replace(/\s+/g, " ").trim();
  const nameOf = (el) => {
    const labelledBy = el.getAttribute("aria-labelledby");
    if (labelledBy) return labelledBy.split(/\s+/).map((id) => text(document.getElementById(id)?.textContent)).join(" ");
    const label = el.getAttribute("aria-label") || (el.labels && el.labels[0] ? el.labels[0].textContent : "");
    return text(label || el.getAttribute("alt") || el.innerText || el.getAttribute("title") || el.value || el.getAttribute("placeholder")).slice(0, 80);
  };
  const selectorOf = (el) => {
    const parts = [];
    let node = el;
    while (node && parts.length < 5) {
      if (node.id) { parts.unshift("#" + CSS.escape(node.id)); break; }
      const tag = node.tagName.toLowerCase();
      const parent = node.parentElement;
      if (!parent) { parts.unshift(tag); break; }
      const same = Array.from(parent.children).filter((c) => c.tagName === node.tagName);
      parts.unshift(same.length > 1 ? tag + ":nth-of-type(" + (same.indexOf(node) + 1) + ")" : tag);
      node = parent;
    }
    return parts.join(" > ");
  };
  const describe = (el) => ({ tag: el.tagName.toLowerCase(), name: nameOf(el), selector: selectorOf(el), tabIndex: el.tabIndex });
  const transparent = (color) => color === "transparent" || /^rgba\(.*,\s*0\)$/.test(color);
  const outlineOf = (s) => (s.outlineStyle === "none" || s.outlineWidth === "0px" || transparent(s.outlineColor) ? "none" : [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset].join(" "));
  const look = (el) => {
    const layers = [[el, null], [el, "::before"], [el, "::after"], [el.parentElement, null]];
    const key = layers.filter(([node]) => node).map(([node, pseudo]) => {
      const s = getComputedStyle(node, pseudo);
      return outlineOf(s) + "|" + LOOK.map((p) => s.getPropertyValue(p)).join("|");
    });
    const r = el.getBoundingClientRect();
    key.push([r.x, r.y, r.width, r.height].map(Math.round).join(","));
    const s = getComputedStyle(el);
    return { key: key.join(" / "), summary: "outline: " + outlineOf(s) + "; box-shadow: " + s.boxShadow };
  };
  const settle = (el) => {
    const finite = el.getAnimations({ subtree: true }).filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
    return Promise.race([Promise.all(finite.map((a) => a.finished.catch(() => null))), new Promise((r) => setTimeout(r, 1000))]);
  };

  globalThis.__flightdeckFocus = {
    start() {
      candidates = Array.from(document.querySelectorAll(INTERACTIVE)).filter(usable);
      if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
      return candidates.length;
    },
    async stop() {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return { kind: "body" };
      if (!ids.has(el)) ids.set(el, ids.size);
      await settle(el);
      const focused = look(el);
      el.blur();
      await settle(el);
      const blurred = look(el);
      el.focus({ preventScroll: true });
      return Object.assign({ kind: "element", id: ids.get(el), candidate: candidates.indexOf(el), iframe: el.tagName === "IFRAME", visibleFocus: focused.key !== blurred.key, focusedStyle: focused.summary }, describe(el));
    },
    unreached(reachedIndexes) {
      const reached = reachedIndexes.map((i) => candidates[i]).filter(Boolean);
      const covered = (el) =>
        (el.type === "radio" && el.name !== "" && reached.some((r) => r.type === "radio" && r.name === el.name && r.form === el.form)) ||
        (el.closest(COMPOSITE) !== null && reached.some((r) => el.closest(COMPOSITE).contains(r))) ||
        (el.matches("a[href]") && reached.some((r) => r.matches("a[href]") && r.href === el.href));
      return candidates.filter((el) => !reached.includes(el) && el.isConnected && usable(el) && !covered(el)).map(describe);
    },
  };
})()`;

/** How an element is named in findings and the focus-order log. */
const ZFocusElement = z.object({ tag: z.string(), name: z.string(), selector: z.string(), tabIndex: z.number() });
export type TFocusElement = z.infer<typeof ZFocusElement>;

/** Where one Tab press left focus. The page is a boundary: its answers are parsed. */
export const ZFocusStop = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("body") }),
  ZFocusElement.extend({
    kind: z.literal("element"),
    /** the same element keeps its id across Tab presses */
    id: z.number(),
    /** its index among the interactive elements found at the start, −1 if none */
    candidate: z.number(),
    iframe: z.boolean(),
    visibleFocus: z.boolean(),
    /** outline and box-shadow while focused, for evidence */
    focusedStyle: z.string(),
  }),
]);
export type TFocusStop = z.infer<typeof ZFocusStop>;

export const ZUnreached = z.array(ZFocusElement);
