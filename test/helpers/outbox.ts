import { expect } from "chai";
import { NotificationDelivery, DeliveryKind } from "../../src/notifications/notification-delivery.entity";
import type { TestServer } from "./server";

/**
 * The token the newest verification message queued for `email` will carry, derived from its nonce
 * the way the delivery worker derives it (the outbox holds no token).
 */
export async function verificationTokenFor(server: TestServer, email: string): Promise<string> {
  const message = await server.db.read((m) =>
    m.findOne(NotificationDelivery, { where: { email, kind: DeliveryKind.VERIFICATION }, order: { sequence: "DESC" } }),
  );
  expect(message?.tokenNonce, `no unsent verification message to ${email}`).to.be.a("string");
  return server.app.outbox.tokens.tokenFor(message!.tokenNonce!);
}

/** The token the newest invitation message queued for `email` will carry in its link. */
export async function invitationTokenFor(server: TestServer, email: string): Promise<string> {
  const message = await server.db.read((m) =>
    m.findOne(NotificationDelivery, { where: { email, kind: DeliveryKind.INVITATION }, order: { sequence: "DESC" } }),
  );
  expect(message?.tokenNonce, `no unsent invitation message to ${email}`).to.be.a("string");
  return server.app.outbox.tokens.tokenFor(message!.tokenNonce!);
}

/** The invited person accepts from the link in their newest invitation message, without signing in. */
export async function acceptFromLink(server: TestServer, email: string): Promise<void> {
  const token = await invitationTokenFor(server, email);
  const response = await fetch(`${server.url.replace(/\/graphql$/, "")}/invitation`, {
    method: "POST",
    body: new URLSearchParams({ token, answer: "accept" }),
  });
  expect(response.status, `accepting the invitation to ${email}`).to.equal(200);
}
