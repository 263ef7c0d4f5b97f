import { expect } from "chai";
import { OutboxMessage, DeliveryKind } from "../../src/outbox/outbox-message.entity";
import { VERIFICATION_TOKEN_LINE } from "../../src/verification/verification.service";
import type { TestServer } from "./server";

/** The token in the newest verification message queued for `email`. */
export async function verificationTokenFor(server: TestServer, email: string): Promise<string> {
  const message = await server.db.read((m) =>
    m.findOne(OutboxMessage, { where: { email, kind: DeliveryKind.VERIFICATION }, order: { sequence: "DESC" } }),
  );
  const token = message?.body.match(VERIFICATION_TOKEN_LINE)?.[1];
  expect(token, `no verification message to ${email}`).to.be.a("string");
  return token!;
}
