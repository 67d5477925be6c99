import { io, type Socket } from "socket.io-client";
import { E2E } from "../fixtures/e2e-env";
import { expect, pageAs, signIn, test, USERS } from "../fixtures/test";

/** A socket to the dashboard with a browser's session cookie, as a page would open it. */
async function socketWith(page: import("@playwright/test").Page, extraHeaders: Record<string, string> = {}): Promise<Socket> {
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  return io(E2E.baseUrl, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie, ...extraHeaders } });
}

function connected(socket: Socket): Promise<"connected" | string> {
  return new Promise((resolve) => {
    socket.once("connect", () => resolve("connected"));
    socket.once("connect_error", (e) => resolve(e.message));
  });
}

test.describe("live updates follow who may see them", () => {
  test("a signed-out person's open socket is dropped within seconds; another site cannot open one with their cookie", async ({ page, browser }) => {
    await signIn(page, USERS.viewer);
    const socket = await socketWith(page);
    expect(await connected(socket)).toBe("connected");
    const dropped = new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    const reason = await Promise.race([dropped, new Promise<string>((resolve) => setTimeout(() => resolve("still connected after 10 s"), 10_000))]);
    expect(reason).toBe("io server disconnect");

    const other = await pageAs(browser, USERS.onCall);
    const foreign = await socketWith(other, { origin: "http://127.0.0.1:9" });
    expect(await connected(foreign)).toBe("cross-site");
    foreign.close();
    const own = await socketWith(other, { origin: E2E.baseUrl });
    expect(await connected(own)).toBe("connected");
    own.close();
  });
});
