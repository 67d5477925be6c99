/**
 * Renders the product's raster images in public/ from the SVG mark, in Debian's Chromium:
 *   node --import tsx scripts/make-public-images.ts
 * The PNGs are committed; run this again only when the mark or the social card changes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const root = path.resolve(import.meta.dirname, "..");
const mark = readFileSync(path.join(root, "public", "icon.svg"), "utf8");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(`<style>html,body{margin:0}svg{width:${size}px;height:${size}px;display:block}</style>${mark}`);
    await page.screenshot({ path: path.join(root, "public", `icon-${size}.png`), omitBackground: true });
    await page.close();
  }
  // A maskable icon keeps the mark inside the 80% safe zone on a full-bleed background.
  const maskable = await browser.newPage({ viewport: { width: 512, height: 512 } });
  await maskable.setContent(`<style>html,body{margin:0;background:#0f172a}div{display:grid;place-items:center;width:512px;height:512px}svg{width:360px;height:360px}</style><div>${mark}</div>`);
  await maskable.screenshot({ path: path.join(root, "public", "icon-maskable-512.png") });
  await maskable.close();
  // The Open Graph card shown when a run's link is shared: 1200×630, system fonts only (no downloads).
  const card = await browser.newPage({ viewport: { width: 1200, height: 630 } });
  await card.setContent(`<!doctype html><style>
    html,body{margin:0;width:1200px;height:630px;background:#0f172a;color:#f8fafc;font-family:"DejaVu Sans",Arial,sans-serif}
    main{padding:88px 96px;display:flex;flex-direction:column;gap:28px;height:100%;box-sizing:border-box}
    .row{display:flex;align-items:center;gap:28px} svg{width:112px;height:112px}
    h1{font-size:84px;margin:0;letter-spacing:-2px} p{font-size:38px;margin:0;color:#cbd5e1;line-height:1.35;max-width:980px}
    .steps{margin-top:auto;display:flex;gap:18px;font-size:28px;color:#0f172a}
    .steps span{background:#e2e8f0;border-radius:999px;padding:10px 26px} .steps .ok{background:#86efac}
  </style><main><div class="row">${mark}<h1>Flightdeck</h1></div>
  <p>The release control room: checks, approval, canary rollout and rollback — every verdict explained, live.</p>
  <div class="steps"><span class="ok">checks ✓</span><span class="ok">approved ✓</span><span>canary 5% → 50% → 100%</span></div></main>`);
  await card.screenshot({ path: path.join(root, "public", "og-image.png") });
  await card.close();
} finally {
  await browser.close();
}
