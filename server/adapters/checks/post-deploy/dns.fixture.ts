import type { AddressInfo } from "node:net";
import { Packet, UDPServer, type Resource } from "dns2";

/** Answers a test resolver gives: per record type, the values for any name asked. */
export type ZoneAnswers = { A?: string[]; AAAA?: string[]; CNAME?: string[]; TXT?: string[] };

/** A DNS resolver on a free UDP port of 127.0.0.1 that answers every name from `answers`. */
export async function startResolver(answers: ZoneAnswers): Promise<{ address: string; close: () => Promise<void> }> {
  const server = new UDPServer((request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    if (question) {
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
      if (question.type === Packet.TYPE.A) for (const address of answers.A ?? []) response.answers.push({ ...base, type: Packet.TYPE.A, address } as Resource);
      if (question.type === Packet.TYPE.AAAA) for (const address of answers.AAAA ?? []) response.answers.push({ ...base, type: Packet.TYPE.AAAA, address } as Resource);
      if (question.type === Packet.TYPE.CNAME) for (const domain of answers.CNAME ?? []) response.answers.push({ ...base, type: Packet.TYPE.CNAME, domain } as Resource);
      if (question.type === Packet.TYPE.TXT) for (const data of answers.TXT ?? []) response.answers.push({ ...base, type: Packet.TYPE.TXT, data } as Resource);
    }
    void send(response);
  });
  await server.listen(0, "127.0.0.1");
  const { port } = server.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
