// Writes the storefront's built front-end (dist/) for each demo version: minified-looking ES
// modules and CSS named like Vite's output. The content is generated, not compiled, but it has
// the size and compressibility of real minified code, which is all the systems agent's
// gzip/brotli budget check measures. Deterministic: the same seed writes the same bytes.
//
//   node demo/releases/tools/gen-dist.mjs
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "storefront");

/** mulberry32: a small seeded PRNG, so re-running the script changes nothing. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RESERVED = new Set(["do", "if", "in"]);
const WORDS = ("cart checkout item items price total subtotal tax discount promo code currency amount order orders status pending paid " +
  "cancelled customer email address region locale payment method card wallet token provider session user render state props " +
  "children key ref value onChange onClick onSubmit disabled loading error errors message label title name id type className " +
  "style href target rel src alt width height data config options headers body json fetch signal timeout retry then catch " +
  "resolve reject promise push pop map filter reduce forEach length keys values entries assign create defineProperty " +
  "prototype call apply bind toString valueOf Symbol iterator next done return throw get set has delete add size " +
  "createElement useState useEffect useMemo useCallback useRef useContext Fragment memo forwardRef dispatch subscribe " +
  "merchantIdentifier supportedNetworks countryCode currencyCode lineItems merchantCapabilities paymentRequest " +
  "tokenizationSpecification allowedPaymentMethods apiVersion environment buttonColor buttonType challenge redirect").split(" ");

function generator(seed) {
  const rnd = prng(seed);
  const int = (n) => Math.floor(rnd() * n);
  const pick = (list) => list[int(list.length)];
  const ident = () => {
    const name = rnd() < 0.7 ? pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$") : pick("abcdefghijklmnopqrstuvwxyz") + pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$");
    return RESERVED.has(name) ? `${name}$` : name;
  };
  // Top-level bindings of a module must be unique, as a minifier's would be.
  let topLevel = 0;
  const topName = () => {
    const name = `${pick("abcdefghijklmnopqrstuvwxyz")}${(topLevel++).toString(36)}`;
    return RESERVED.has(name) ? `${name}$` : name;
  };
  const str = () => {
    const r = rnd();
    if (r < 0.45) return JSON.stringify(pick(WORDS));
    if (r < 0.7) return JSON.stringify(`${pick(WORDS)}-${pick(WORDS)}`);
    if (r < 0.85) return JSON.stringify(`/api/${pick(WORDS)}/${int(1e4).toString(36)}`);
    return JSON.stringify(`${pick(WORDS)}_${int(36 ** 6).toString(36)}`);
  };
  const prop = () => (rnd() < 0.6 ? pick(WORDS) : ident());
  const expr = (depth = 0) => {
    const r = rnd();
    if (depth > 2 || r < 0.25) return pick([ident(), ident(), String(int(1000)), str(), "!0", "!1", "null", "void 0"]);
    if (r < 0.4) return `${ident()}.${prop()}(${expr(depth + 1)}${rnd() < 0.5 ? `,${expr(depth + 1)}` : ""})`;
    if (r < 0.5) return `(${expr(depth + 1)}${pick(["===", "!==", "&&", "||", "+", "-", "*", "<", ">=", "??"])}${expr(depth + 1)})`;
    if (r < 0.6) return `({${Array.from({ length: 1 + int(4) }, () => `${prop()}:${expr(depth + 1)}`).join(",")}})`;
    if (r < 0.7) return `(${expr(depth + 1)}?${expr(depth + 1)}:${expr(depth + 1)})`;
    if (r < 0.8) return `((${ident()})=>(${expr(depth + 1)}))`;
    if (r < 0.9) return `[${Array.from({ length: 1 + int(3) }, () => expr(depth + 1)).join(",")}]`;
    return `${ident()}[${str()}]`;
  };
  const stmt = (depth = 0) => {
    const r = rnd();
    if (depth < 2 && r < 0.12) return `if(${expr()}){${block(depth + 1)}}${rnd() < 0.4 ? `else{${block(depth + 1)}}` : ""}`;
    if (depth < 2 && r < 0.18) return `for(var ${ident()}=0;${ident()}<${ident()}.length;${ident()}++){${block(depth + 1)}}`;
    if (depth < 2 && r < 0.22) return `try{${block(depth + 1)}}catch(${ident()}){${block(depth + 1)}}`;
    if (r < 0.5) return `var ${ident()}=${expr()}`;
    if (r < 0.7) return `${ident()}.${prop()}=${expr()}`;
    if (r < 0.8) return `return ${expr()}`;
    if (r < 0.85) return `throw new Error(${str()}+${ident()})`;
    return expr();
  };
  const block = (depth) => Array.from({ length: 1 + int(4) }, () => stmt(depth)).join(";");
  const fn = () => `function ${topName()}(${[...new Set(Array.from({ length: int(4) }, ident))].join(",")}){${block(0)}}`;

  return {
    /** An ES module of about `bytes` characters with one default export. */
    module(bytes) {
      topLevel = 0;
      const main = topName();
      let out = `function ${main}(${ident()}){${block(0)}}`;
      while (out.length < bytes) out += rnd() < 0.8 ? fn() : `const ${topName()}=${expr()};`;
      return `${out}export{${main} as default};\n`;
    },
    css(bytes) {
      const decls = ["display:flex", "display:grid", "align-items:center", "gap:.5rem", "padding:.75rem 1rem", "margin:0 auto", "border-radius:6px",
        "font-weight:600", "font-size:.875rem", "line-height:1.4", "color:var(--sf-fg)", "background:var(--sf-bg)", "border:1px solid var(--sf-border)",
        "cursor:pointer", "transition:background-color .15s ease", "max-width:72rem", "width:100%", "justify-content:space-between"];
      let out = ":root{--sf-fg:#1b1f24;--sf-bg:#fff;--sf-accent:#0b5fff;--sf-border:#d0d7de}";
      while (out.length < bytes) {
        const cls = `.sf-${pick(WORDS).toLowerCase()}${rnd() < 0.5 ? `__${pick(WORDS).toLowerCase()}` : ""}`;
        const state = pick(["", "", ":hover", ":focus-visible", ":disabled", " > span"]);
        const color = `#${int(0xffffff).toString(16).padStart(6, "0")}`;
        out += `${cls}${state}{${Array.from({ length: 2 + int(4) }, () => pick(decls)).join(";")};${rnd() < 0.5 ? `color:${color}` : `border-color:${color}`}}`;
        if (rnd() < 0.05) out += `@media (max-width:${pick([480, 640, 768, 1024])}px){${cls}{${pick(decls)}}}`;
      }
      return `${out}\n`;
    },
  };
}

/** Vite-style content hash: 8 characters of the content's digest. */
const hashOf = (text) => createHash("sha256").update(text).digest("base64url").slice(0, 8);

function writeDist(version, seed, chunks) {
  const dist = path.join(ROOT, version, "dist");
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(path.join(dist, "assets"), { recursive: true });
  const gen = generator(seed);
  const written = [];
  for (const { name, kind, bytes } of chunks) {
    const text = kind === "css" ? gen.css(bytes) : gen.module(bytes);
    const file = `assets/${name}-${hashOf(text)}.${kind}`;
    writeFileSync(path.join(dist, file), text);
    written.push({ file, kind, text });
  }
  const scripts = written.filter((w) => w.kind === "js");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Storefront</title>
${written.filter((w) => w.kind === "css").map((w) => `<link rel="stylesheet" crossorigin href="/${w.file}">`).join("\n")}
<script type="module" crossorigin src="/${scripts[0].file}"></script>
${scripts.slice(1).map((w) => `<link rel="modulepreload" crossorigin href="/${w.file}">`).join("\n")}
</head>
<body><div id="root"></div></body>
</html>
`;
  writeFileSync(path.join(dist, "index.html"), html);
  for (const w of [...written, { file: "index.html", text: html }]) {
    console.log(`${version}/dist/${w.file}: ${(w.text.length / 1024).toFixed(1)} KB, gzip ${(gzipSync(w.text, { level: 9 }).length / 1024).toFixed(1)} KB`);
  }
}

const APP = [
  { name: "index", kind: "js", bytes: 26_000 },
  { name: "checkout", kind: "js", bytes: 9_000 },
  { name: "index", kind: "css", bytes: 7_000 },
];
writeDist("2.3.0", 230, APP);
writeDist("2.3.1", 231, [...APP, { name: "order-status", kind: "js", bytes: 4_000 }]);
// 2.4.0 ships the wallet SDK and its dependencies as one vendor chunk, unsplit.
writeDist("2.4.0", 240, [...APP, { name: "order-status", kind: "js", bytes: 4_000 }, { name: "vendor-wallet", kind: "js", bytes: 600_000 }]);
