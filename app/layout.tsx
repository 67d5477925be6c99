import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { GeistSans } from "geist/font/sans";
import { GeistMono } from "geist/font/mono";
import { Providers } from "@/components/providers";
import { THEME_BOOT_SCRIPT } from "@/components/shell/theme";
import { env } from "@/server/env";
import "./globals.css";

const description = "Release control room: pre-deploy checks, approval gate, canary rollout and rollback, watched live.";

// A shared link shows the product's card, whose address must be absolute: the public base URL
// when one is set, otherwise where this server listens.
export function generateMetadata(): Metadata {
  const { PUBLIC_URL, HOST, PORT } = env();
  const host = HOST === "0.0.0.0" || HOST === "::" ? "localhost" : HOST.includes(":") ? `[${HOST}]` : HOST;
  return {
    metadataBase: new URL(PUBLIC_URL ?? `http://${host}:${PORT}`),
    title: { default: "Flightdeck", template: "%s · Flightdeck" },
    description,
    applicationName: "Flightdeck",
    manifest: "/manifest.webmanifest",
    icons: { icon: [{ url: "/icon.svg", type: "image/svg+xml" }], apple: "/icon-192.png" },
    openGraph: { type: "website", siteName: "Flightdeck", title: "Flightdeck", description, images: [{ url: "/og-image.png", width: 1200, height: 630, alt: "Flightdeck, the release control room" }] },
    twitter: { card: "summary_large_image", title: "Flightdeck", description, images: ["/og-image.png"] },
  };
}

export const viewport: Viewport = { themeColor: "#0f172a" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // suppressHydrationWarning: the boot script sets the theme class on <html> before React hydrates.
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`} suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
