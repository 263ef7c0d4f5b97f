import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import {
  buildSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  print,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { SCHEMA_FILE } from "../src/schema";
import { DEMO_ADMIN, seedDemoData } from "../src/seed";
import { GRAPHIQL_DEFAULT_OPERATION } from "../src/graphiql/graphiql.routes";
import { DeliveryKind, DeliveryState, NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { decodeGlobalId, globalId } from "../src/common/global-id";
import { startTestServer, tokenFor, type GraphQLResponse, type TestServer } from "./helpers/server";

const EXAMPLES_DIR = path.resolve(__dirname, "..", "..", "examples");
const FRAGMENTS_FILE = "fragments.graphql";

interface Example {
  file: string;
  operation: OperationDefinitionNode;
  /** The operation with exactly the fragments it uses: what a client sends. */
  text: string;
}

const fragments = new Map<string, FragmentDefinitionNode>();
for (const definition of parse(fs.readFileSync(path.join(EXAMPLES_DIR, FRAGMENTS_FILE), "utf8")).definitions) {
  if (definition.kind !== Kind.FRAGMENT_DEFINITION) throw new Error(`${FRAGMENTS_FILE} must hold fragments only.`);
  fragments.set(definition.name.value, definition);
}

function fragmentsUsedBy(node: OperationDefinitionNode | FragmentDefinitionNode, found = new Set<string>()): Set<string> {
  visit(node, {
    FragmentSpread(spread) {
      const name = spread.name.value;
      if (found.has(name)) return;
      found.add(name);
      const fragment = fragments.get(name);
      if (fragment) fragmentsUsedBy(fragment, found);
    },
  });
  return found;
}

function loadExample(file: string): Example {
  const document = parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8"));
  expect(document.definitions, `${file} holds one operation`).to.have.lengthOf(1);
  const operation = document.definitions[0] as OperationDefinitionNode;
  expect(operation.kind, file).to.equal(Kind.OPERATION_DEFINITION);
  const used = [...fragmentsUsedBy(operation)].map((name) => fragments.get(name)).filter((fragment) => fragment !== undefined);
  return { file, operation, text: [operation, ...used].map((definition) => print(definition)).join("\n\n") };
}

const examples = fs
  .readdirSync(EXAMPLES_DIR)
  .filter((file) => file.endsWith(".graphql") && file !== FRAGMENTS_FILE)
  .sort()
  .map(loadExample);

function byName(name: string): Example {
  const example = examples.find((candidate) => candidate.operation.name?.value === name);
  if (!example) throw new Error(`No example operation named ${name}.`);
  return example;
}

/** "account-contacts.graphql" holds AccountContacts: the file name says what is inside. */
function operationNameFor(file: string): string {
  return path
    .basename(file, ".graphql")
    .split("-")
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");
}

describe("examples/", () => {
  let schema: GraphQLSchema;
  before(() => {
    // The file frontends generate their types from.
    schema = buildSchema(fs.readFileSync(SCHEMA_FILE, "utf8"));
  });

  it("holds one named operation per file, named after the file", () => {
    expect(examples.length).to.be.greaterThan(10);
    for (const example of examples) expect(example.operation.name?.value, example.file).to.equal(operationNameFor(example.file));
  });

  it("gives every operation and fragment a name of its own", () => {
    // Codegen, Relay and the linters name generated documents and types after them: one name, one definition.
    const names = [...examples.map((example) => example.operation.name!.value), ...fragments.keys()];
    expect(names.filter((name, index) => names.indexOf(name) !== index)).to.deep.equal([]);
  });

  it("validates every operation, with the fragments it uses, against schema.graphql", () => {
    for (const example of examples) {
      const errors = validate(schema, parse(example.text));
      expect(
        errors.map((error) => error.message),
        example.file,
      ).to.deep.equal([]);
    }
  });

  it("selects the id of every object that has one, so a normalised cache can keep it", () => {
    /** Whether a selection set asks for `id` itself or through a fragment. */
    const selectsId = (selectionSet: SelectionSetNode): boolean =>
      selectionSet.selections.some((selection) =>
        selection.kind === Kind.FIELD
          ? selection.name.value === "id" && !selection.alias
          : selection.kind === Kind.INLINE_FRAGMENT
            ? selectsId(selection.selectionSet)
            : selectsId(fragments.get(selection.name.value)!.selectionSet),
      );
    const missing: string[] = [];
    const graphiql = { file: "GraphiQL's default operation", text: GRAPHIQL_DEFAULT_OPERATION };
    for (const example of [...examples, graphiql]) {
      const typeInfo = new TypeInfo(schema);
      visit(
        parse(example.text),
        visitWithTypeInfo(typeInfo, {
          Field(field) {
            if (!field.selectionSet) return;
            let type = typeInfo.getType();
            while (type && "ofType" in type) type = type.ofType;
            const isNode =
              (isObjectType(type) || isInterfaceType(type)) &&
              (type.name === "Node" || type.getInterfaces().some((node) => node.name === "Node"));
            if (isNode && !selectsId(field.selectionSet)) missing.push(`${example.file}: ${field.name.value}`);
          },
        }),
      );
    }
    expect(missing).to.deep.equal([]);
  });

  it("uses every shared fragment somewhere", () => {
    const used = new Set(examples.flatMap((example) => [...fragmentsUsedBy(example.operation)]));
    expect([...fragments.keys()].filter((name) => !used.has(name))).to.deep.equal([]);
  });

  it("has an example for every mutation in the schema", () => {
    const called = new Set<string>();
    for (const example of examples) {
      if (example.operation.operation !== "mutation") continue;
      for (const selection of example.operation.selectionSet.selections)
        if (selection.kind === Kind.FIELD) called.add(selection.name.value);
    }
    const missing = Object.keys(schema.getMutationType()!.getFields()).filter((name) => !called.has(name));
    expect(missing, "add an examples/<mutation-name>.graphql for each").to.deep.equal([]);
  });

  it("validates the operation GraphiQL opens with", () => {
    expect(validate(schema, parse(GRAPHIQL_DEFAULT_OPERATION)).map((error) => error.message)).to.deep.equal([]);
  });

  describe("run against the demo data", () => {
    let server: TestServer;
    let token: string;
    let northwindId: string;
    const ran = new Set<string>();

    /** Runs an example (as the demo admin unless `as` says otherwise; null: signed out) and asserts it succeeded. */
    async function run<TData = Record<string, any>>(
      name: string,
      variables: Record<string, unknown> = {},
      as: string | null = token,
    ): Promise<TData> {
      const example = byName(name);
      const response: GraphQLResponse<TData> = await server.graphql<TData>(example.text, variables, as);
      expect(response.errors, `${example.file}: ${JSON.stringify(response.errors)}`).to.equal(undefined);
      expect(response.data, example.file).to.be.an("object");
      ran.add(example.file);
      return response.data!;
    }

    before(async () => {
      // Webhook examples register an https:// URL on loopback; no worker runs here, so nothing is sent.
      server = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
      await seedDemoData(server.db, server.app.outbox);
      token = await tokenFor(DEMO_ADMIN.email, DEMO_ADMIN.name);
    });
    after(() => server.close());

    it("runs the screens' queries", async () => {
      const mine = await run<{ accounts: { totalCount: number; edges: { node: { id: string; name: string } }[] } }>("MyAccounts");
      expect(mine.accounts.edges.map((edge) => edge.node.name)).to.include("Northwind Traders");
      northwindId = mine.accounts.edges.find((edge) => edge.node.name === "Northwind Traders")!.node.id;

      const contacts = await run<{ account: { primaryContact: { email: string }; billingContacts: unknown[] } }>("AccountContacts", {
        accountId: northwindId,
      });
      expect(contacts.account.primaryContact.email).to.equal("grace.hopper@northwind.example");
      expect(contacts.account.billingContacts).to.have.lengthOf(2);

      type PickerMember = { id: string; displayName: string | null; user: { email: string; name: string | null } };
      const picker = await run<{ account: { members: { totalCount: number; edges: { node: PickerMember }[] } } }>("MemberPicker", {
        accountId: northwindId,
      });
      expect(picker.account.members.totalCount).to.equal(5);
      expect(picker.account.members.edges).to.have.lengthOf(5);
      // The demo members were added by an admin and have never signed in: only displayName names them.
      const grace = picker.account.members.edges.find((edge) => edge.node.user.email === "grace.hopper@northwind.example")!.node;
      expect(grace.user.name).to.equal(null);
      expect(grace.displayName).to.equal("Grace Hopper");
      expect(picker.account.members.edges.map((edge) => edge.node.displayName)).to.have.members([
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Katherine Johnson",
        "Edsger Dijkstra",
      ]);

      const recipients = await run<{ account: { notificationRecipients: { email: string; reasons: string[] }[] } }>(
        "NotificationRecipients",
        {
          accountId: northwindId,
          category: "INVOICE",
        },
      );
      expect(recipients.account.notificationRecipients.map((recipient) => recipient.email)).to.deep.equal([
        "grace.hopper@northwind.example",
        "katherine.johnson@northwind.example",
        "ada.lovelace@northwind.example",
      ]);

      const history = await run<{ account: { contactHistory: { totalCount: number } } }>("ContactHistory", {
        accountId: northwindId,
        first: 5,
      });
      expect(history.account.contactHistory.totalCount).to.be.greaterThan(0);

      const attention = await run<{ accountsNeedingAttention: { edges: { node: { name: string } }[] } }>("AccountsNeedingAttention");
      expect(attention.accountsNeedingAttention.edges.map((edge) => edge.node.name)).to.include("Globex Logistics");
    });

    it("answers the settings screen's query for an account the caller cannot see with account null and NOT_FOUND", async () => {
      const response = await server.graphql<{ account: unknown }>(
        byName("AccountContacts").text,
        { accountId: globalId("Account", "00000000-0000-4000-8000-000000000000") },
        token,
      );
      expect(response.data).to.deep.equal({ account: null });
      expect(response.errors?.map((error) => error.extensions?.code)).to.deep.equal(["NOT_FOUND"]);
    });

    /** The token in the newest verification message sent to `email`, as its owner would read it. */
    async function verificationTokenSentTo(accountId: string, email: string): Promise<string> {
      const message = await server.db.read((manager) =>
        manager.findOne(NotificationDelivery, {
          where: { accountId, email, kind: DeliveryKind.VERIFICATION },
          order: { sequence: "DESC" },
        }),
      );
      if (!message?.tokenNonce) throw new Error(`No verification token was sent to ${email}.`);
      return server.app.outbox.tokens.tokenFor(message.tokenNonce);
    }

    it("runs every mutation, in the order a settings screen would", async () => {
      type Member = { id: string; role: string; displayName: string | null; user: { id: string; email: string } };
      type AccountData = {
        id: string;
        contactsVersion: number;
        primaryContact: { id: string };
        billingContacts: { id: string }[];
        roleContacts: { role: string; email: string; isExternal: boolean }[];
        members?: { nodes: Member[] };
      };
      type Payload = { account: AccountData };
      const created = (await run<{ createAccount: Payload }>("CreateAccount", { input: { name: "Example Corp" } })).createAccount.account;
      const accountId = created.id;
      const rowId = decodeGlobalId(accountId)!.key[0]!;

      type Invited = Payload & { member: Member & { accepted: boolean }; invitation: { id: string } | null };
      /** Invites someone, and has them accept signed in, as MyInvitations and AcceptInvitation let them. */
      const inviteAndAccept = async (input: Record<string, unknown>) => {
        const invited = (await run<{ addAccountMember: Invited }>("AddAccountMember", { input: { accountId, ...input } })).addAccountMember;
        expect(invited.member.accepted).to.equal(false);
        const invitee = await tokenFor(String(input.email));
        const mine = (await run<{ viewerInvitations: { nodes: { id: string; accountName: string }[] } }>("MyInvitations", {}, invitee))
          .viewerInvitations.nodes;
        expect(mine.map((invitation) => invitation.id)).to.include(invited.invitation!.id);
        const accepted = (
          await run<{ acceptInvitation: { account: { id: string } } }>(
            "AcceptInvitation",
            { input: { invitationId: invited.invitation!.id } },
            invitee,
          )
        ).acceptInvitation;
        expect(accepted.account.id).to.equal(accountId);
        return invited;
      };
      const added = await inviteAndAccept({ email: "grace.hopper@northwind.example", role: "ADMIN" });
      expect(added.member).to.include({ role: "ADMIN" });
      expect(added.member.user.email).to.equal("grace.hopper@northwind.example");
      const hired = await inviteAndAccept({ email: "new.hire@example.com", name: "New Hire" });
      expect(hired.member).to.include({ role: "MEMBER", displayName: "New Hire" });
      const grace = added.member.user.id;

      const declinedInvitation = (
        await run<{ addAccountMember: Invited }>("AddAccountMember", { input: { accountId, email: "not.interested@example.com" } })
      ).addAccountMember;
      await run(
        "DeclineInvitation",
        { input: { invitationId: declinedInvitation.invitation!.id } },
        await tokenFor("not.interested@example.com"),
      );
      const withdrawnInvitation = (
        await run<{ addAccountMember: Invited }>("AddAccountMember", { input: { accountId, email: "typo@exmaple.com" } })
      ).addAccountMember;
      const pending = await run<{ account: { invitations: { nodes: { id: string }[] } } }>("PendingInvitations", { accountId });
      expect(pending.account.invitations.nodes.map((invitation) => invitation.id)).to.deep.equal([withdrawnInvitation.invitation!.id]);
      const withdrawn = await run<{ withdrawInvitation: { account: { invitations: { totalCount: number } } } }>("WithdrawInvitation", {
        input: { invitationId: withdrawnInvitation.invitation!.id },
      });
      expect(withdrawn.withdrawInvitation.account.invitations.totalCount).to.equal(0);

      expect(
        (await run<{ setPrimaryContact: Payload }>("SetPrimaryContact", { input: { accountId, userId: grace } })).setPrimaryContact.account
          .primaryContact.id,
      ).to.equal(grace);
      const billing = (await run<{ addBillingContact: Payload }>("AddBillingContact", { input: { accountId, userId: grace } }))
        .addBillingContact.account;
      expect(billing.billingContacts.map((user) => user.id)).to.deep.equal([grace]);
      expect(
        (await run<{ removeBillingContact: Payload }>("RemoveBillingContact", { input: { accountId, userId: grace } })).removeBillingContact
          .account.billingContacts,
      ).to.deep.equal([]);

      await run("SetRoleContact", { input: { accountId, role: "TECHNICAL_ADMIN", userId: grace } });
      const security = (
        await run<{ setRoleContact: Payload }>("SetRoleContact", {
          input: { accountId, role: "SECURITY", email: "security@partner.example" },
        })
      ).setRoleContact.account;
      expect(security.roleContacts.find((role) => role.role === "SECURITY")).to.include({
        email: "security@partner.example",
        isExternal: true,
      });
      await run("ResendContactVerification", { input: { accountId } });
      const token = await verificationTokenSentTo(rowId, "security@partner.example");
      const verified = await run<{ verifyContactEmail: { verification: { id: string; state: string; role: string } } }>(
        "VerifyContactEmail",
        { input: { token } },
        null,
      );
      expect(verified.verifyContactEmail.verification).to.include({
        state: "VERIFIED",
        role: "SECURITY",
        id: globalId("ContactVerification", rowId, "SECURITY"),
      });
      await run("SetRoleContact", { input: { accountId, role: "SECURITY", email: "other.security@partner.example" } });
      const otherToken = await verificationTokenSentTo(rowId, "other.security@partner.example");
      const declined = await run<{ declineContactEmail: { verification: { state: string; role: string } } }>(
        "DeclineContactEmail",
        { input: { token: otherToken } },
        null,
      );
      expect(declined.declineContactEmail.verification).to.include({ state: "DECLINED", role: "SECURITY" });
      const cleared = (await run<{ clearRoleContact: Payload }>("ClearRoleContact", { input: { accountId, role: "SECURITY" } }))
        .clearRoleContact.account;
      expect(cleared.roleContacts.map((role) => role.role)).to.deep.equal(["TECHNICAL_ADMIN"]);

      const saved = (
        await run<{ saveAccountContacts: Payload }>("SaveAccountContacts", {
          input: {
            accountId,
            expectedVersion: cleared.contactsVersion,
            primaryContactUserId: grace,
            billingContactUserIds: [grace],
            roleContacts: [
              { role: "DECISION_MAKER", userId: grace },
              { role: "TECHNICAL_ADMIN", clear: true },
            ],
          },
        })
      ).saveAccountContacts.account;
      expect(saved.billingContacts.map((user) => user.id)).to.deep.equal([grace]);
      expect(saved.roleContacts.map((role) => role.role)).to.deep.equal(["DECISION_MAKER"]);

      const sent = (
        await run<{ sendTestNotification: { account: { id: string }; deliveries: { id: string; email: string; state: string }[] } }>(
          "SendTestNotification",
          {
            input: { accountId, category: "INVOICE" },
          },
        )
      ).sendTestNotification;
      expect(sent.account.id).to.equal(accountId);
      expect(sent.deliveries.map((delivery) => delivery.email)).to.deep.equal(["grace.hopper@northwind.example"]);
      const log = await run<{ account: { notificationDeliveries: { edges: { node: { id: string; kind: string } }[] } } }>(
        "NotificationDeliveries",
        { accountId },
      );
      expect(log.account.notificationDeliveries.edges[0]!.node).to.include({ kind: "TEST", id: sent.deliveries[0]!.id });
      // As if every attempt had failed: the admin sends it again.
      await server.db.write((manager) =>
        manager.update(
          NotificationDelivery,
          { sequence: Number(decodeGlobalId(sent.deliveries[0]!.id)!.key[0]) },
          { state: DeliveryState.FAILED, skipReason: null },
        ),
      );
      const requeued = (
        await run<{ requeueNotificationDelivery: { delivery: { id: string; state: string } } }>("RequeueNotificationDelivery", {
          input: { deliveryId: sent.deliveries[0]!.id },
        })
      ).requeueNotificationDelivery;
      expect(requeued.delivery).to.include({ id: sent.deliveries[0]!.id, state: "PENDING" });

      type Setting = { setting: string; previousValue: string | null; newValue: string | null; actor: { email: string } };
      const updated = (
        await run<{ updateAccount: { account: { locale: string; settingChanges: { nodes: Setting[] } } } }>("UpdateAccount", {
          input: { accountId, locale: "PL" },
        })
      ).updateAccount.account;
      expect(updated.locale).to.equal("PL");
      expect(updated.settingChanges.nodes[0]).to.deep.include({ setting: "LOCALE", previousValue: "en", newValue: "pl" });
      expect(updated.settingChanges.nodes[0]!.actor.email).to.equal(DEMO_ADMIN.email);

      type Limited = { allowedContactDomains: string[]; settingChanges: { nodes: Setting[] } };
      const limited = (
        await run<{ setAllowedContactDomains: { account: Limited } }>("SetAllowedContactDomains", {
          input: { accountId, domains: ["Northwind.example", "partner.example"] },
        })
      ).setAllowedContactDomains.account;
      expect(limited.allowedContactDomains).to.deep.equal(["northwind.example", "partner.example"]);
      expect(limited.settingChanges.nodes[0]).to.deep.include({
        setting: "ALLOWED_CONTACT_DOMAINS",
        previousValue: null,
        newValue: "northwind.example partner.example",
      });

      const members = (
        await run<{ addAccountMember: Invited }>("AddAccountMember", {
          input: { accountId, email: "new.hire@example.com", role: "MEMBER" },
        })
      ).addAccountMember;
      const newHire = members.member.user.id;
      expect(members.invitation, "already a member: nothing to accept").to.equal(null);
      expect(members.account.members!.nodes.map((member) => member.user.id)).to.include(newHire);
      const removed = (
        await run<{ removeAccountMember: { removedUserId: string; account: AccountData } }>("RemoveAccountMember", {
          input: { accountId, userId: newHire },
        })
      ).removeAccountMember;
      expect(removed.removedUserId).to.equal(newHire);
      expect(removed.account.members!.nodes.map((member) => member.user.email)).not.to.include("new.hire@example.com");

      await inviteAndAccept({ email: "short.stay@example.com" });
      const left = (
        await run<{ leaveAccount: { accountId: string; removedMemberId: string } }>(
          "LeaveAccount",
          { input: { accountId } },
          await tokenFor("short.stay@example.com"),
        )
      ).leaveAccount;
      expect(left.accountId).to.equal(accountId);
      expect(decodeGlobalId(left.removedMemberId)!.type).to.equal("AccountMember");
    });

    it("runs the webhook examples: add, list, pause, rotate, remove", async () => {
      type Endpoint = { id: string; status: string; eventTypes: string[] };
      const added = (
        await run<{ addWebhookEndpoint: { webhookEndpoint: Endpoint; secret: string } }>("AddWebhookEndpoint", {
          input: {
            accountId: northwindId,
            url: "https://127.0.0.1:8443/contact-points",
            eventTypes: ["CONTACTS", "MEMBERS"],
            description: "CRM sync",
          },
        })
      ).addWebhookEndpoint;
      expect(added.secret).to.match(/^whsec_/);
      expect(added.webhookEndpoint).to.deep.include({ status: "ENABLED", eventTypes: ["CONTACTS", "MEMBERS"] });
      const listed = await run<{ account: { webhookEndpoints: Endpoint[] } }>("WebhookEndpoints", { accountId: northwindId });
      expect(listed.account.webhookEndpoints.map((endpoint) => endpoint.id)).to.deep.equal([added.webhookEndpoint.id]);
      const paused = await run<{ updateWebhookEndpoint: { webhookEndpoint: Endpoint } }>("UpdateWebhookEndpoint", {
        input: { webhookEndpointId: added.webhookEndpoint.id, status: "PAUSED" },
      });
      expect(paused.updateWebhookEndpoint.webhookEndpoint.status).to.equal("PAUSED");
      const rotated = await run<{ rotateWebhookSecret: { secret: string } }>("RotateWebhookSecret", {
        input: { webhookEndpointId: added.webhookEndpoint.id },
      });
      expect(rotated.rotateWebhookSecret.secret)
        .to.match(/^whsec_/)
        .and.not.equal(added.secret);
      const removed = await run<{ removeWebhookEndpoint: { removedWebhookEndpointId: string } }>("RemoveWebhookEndpoint", {
        input: { webhookEndpointId: added.webhookEndpoint.id },
      });
      expect(removed.removeWebhookEndpoint.removedWebhookEndpointId).to.equal(added.webhookEndpoint.id);
    });

    it("ran every example file", () => {
      expect(examples.map((example) => example.file).filter((file) => !ran.has(file))).to.deep.equal([]);
    });
  });
});
