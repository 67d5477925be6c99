import { onTestFinished } from "vitest";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { listenOnLoopback } from "../../../testing/loopback-server.ts";

/** One request as the test receiver got it: raw body, as a signature check needs it. */
export type ReceivedDelivery = { headers: IncomingHttpHeaders; body: string; receivedAtMs: number };

/** The receiver's answer to the n-th request (0-based); "hang" never answers. */
export type ReceiverAnswer = { status: number; body?: string } | "hang";

/** A local HTTP receiver on 127.0.0.1 for webhook tests: records every request, answers from a script. */
export type TestReceiver = { url: string; deliveries: ReceivedDelivery[]; close: () => Promise<void> };

export async function startReceiver(answer: (delivery: ReceivedDelivery, index: number) => ReceiverAnswer): Promise<TestReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const delivery = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAtMs: Date.now() };
      deliveries.push(delivery);
      const a = answer(delivery, deliveries.length - 1);
      if (a === "hang") return;
      res.writeHead(a.status, { "content-type": "application/json" }).end(a.body ?? "");
    });
  });
  // listenOnLoopback's close ends hanging requests too, which would otherwise keep it waiting forever.
  const { port, close } = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}/hooks/flightdeck?token=not-for-logs`, deliveries, close };
}

/**
 * A `receiver()` for a test file: each receiver it starts is closed after the test that started it.
 */
export function receiverPerTest(): (answer: Parameters<typeof startReceiver>[0]) => Promise<TestReceiver> {
  return async (answer) => {
    const r = await startReceiver(answer);
    onTestFinished(() => r.close());
    return r;
  };
}
