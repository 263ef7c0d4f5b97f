import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { CATALOGUES, LOCALES, translate, type Template } from "../src/i18n";
import { en } from "../src/i18n/en";
import { NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { Database, MIGRATIONS } from "../src/database";
import { selectRows, sql } from "../src/common/sql";
import { startTestServer, freshDatabaseUrl, dropTestDatabase, type GraphQLResponse, type TestServer } from "./helpers/server";
import { accountWithMembers, addMember, failsWith, mutate, ok, signIn } from "./helpers/factories";
import { MAIN, ROOT, runToEnd, spawnServer } from "./helpers/process";

/** Messages that read the same in both languages on purpose. */
const SAME_IN_BOTH = new Set<string>([]);

const placeholders = (template: Template): Set<string> => {
  const texts =
    typeof template === "string"
      ? [template]
      : Object.entries(template)
          .filter(([form]) => form !== "plural")
          .map(([, text]) => text as string);
  const names = new Set(texts.flatMap((text) => [...text.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => match[1]!)));
  if (typeof template !== "string") names.add(template.plural);
  return names;
};

/** Every file under `directory` whose name ends in `.ts`. */
function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Sends `query` with `headers` (Accept-Language, say); `body` replaces the JSON body when given. */
async function send(
  server: TestServer,
  query: string,
  headers: Record<string, string> = {},
  token?: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { ...((await response.json()) as GraphQLResponse), status: response.status };
}

const CREATE = `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id name locale } } }`;
const UPDATE = `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id locale settingChanges { nodes { id setting previousValue newValue actor { email } } } } } }`;

describe("Polish and English", () => {
  describe("the catalogues", () => {
    it("have exactly the same keys, no empty message, and a Polish text for every English one", () => {
      const keys = Object.keys(en).sort();
      for (const locale of LOCALES) expect(Object.keys(CATALOGUES[locale]).sort(), locale).to.deep.equal(keys);
      for (const key of keys) {
        for (const locale of LOCALES) {
          const template = CATALOGUES[locale][key]!;
          const texts =
            typeof template === "string"
              ? [template]
              : Object.entries(template)
                  .filter(([form]) => form !== "plural")
                  .map(([, text]) => text as string);
          for (const text of texts) expect(text.trim(), `${locale} ${key}`).to.not.equal("");
        }
        if (!SAME_IN_BOTH.has(key))
          expect(JSON.stringify(CATALOGUES.pl[key]), `${key} is not translated`).to.not.equal(JSON.stringify(CATALOGUES.en[key]));
      }
    });

    it("use the same placeholders in both languages, and every Polish plural has the forms one, few and many", () => {
      for (const key of Object.keys(en)) {
        expect([...placeholders(CATALOGUES.pl[key]!)].sort(), key).to.deep.equal([...placeholders(CATALOGUES.en[key]!)].sort());
        const polish = CATALOGUES.pl[key]!;
        if (typeof polish !== "string") expect(polish, key).to.include.keys("one", "few", "many", "other");
      }
    });

    it("has every message key the sources name", () => {
      const used = new Set<string>();
      const sources = path.join(ROOT, "src");
      for (const file of sourceFiles(sources).filter((name) => !path.relative(sources, name).startsWith(`i18n${path.sep}`))) {
        const text = fs.readFileSync(file, "utf8");
        for (const match of text.matchAll(/["'`]((?:[A-Z][A-Z_]+|mail|slot|graphiql|changeSaved)\.[a-z][A-Za-z.]*)["'`]/g))
          used.add(match[1]!);
      }
      for (const asset of [...used].filter((key) => /\.(js|css)$/.test(key))) used.delete(asset);
      expect(used.size).to.be.greaterThan(60);
      expect([...used].filter((key) => !Object.hasOwn(en, key))).to.deep.equal([]);
    });

    it("picks Polish plural forms by Intl.PluralRules: 1 kontakt, 2 kontakty, 5 kontaktów", () => {
      const forms = [1, 2, 5, 12, 22, 25, 101].map(
        (limit) => translate("pl", "BILLING_CONTACT_LIMIT.limitReached", { limit }).split(".")[0],
      );
      expect(forms).to.deep.equal([
        "Konto może mieć najwyżej 1 kontakt rozliczeniowy",
        "Konto może mieć najwyżej 2 kontakty rozliczeniowe",
        "Konto może mieć najwyżej 5 kontaktów rozliczeniowych",
        "Konto może mieć najwyżej 12 kontaktów rozliczeniowych",
        "Konto może mieć najwyżej 22 kontakty rozliczeniowe",
        "Konto może mieć najwyżej 25 kontaktów rozliczeniowych",
        "Konto może mieć najwyżej 101 kontaktów rozliczeniowych",
      ]);
    });

    it("inserts a parameter as it is: a value that looks like a placeholder is not filled in again", () => {
      const text = translate("pl", "mail.label.accountName", { account: "{account} {email} {{title}}" });
      expect(text).to.equal("Nazwa konta: {account} {email} {{title}}");
      expect(translate("en", "NOT_FOUND.object", { type: "{type}" })).to.equal(
        "No {type} with that id exists, or you are not a member of its account.",
      );
    });
  });

  describe("error messages through HTTP", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    });
    after(() => server.close());

    const ANONYMOUS = "{ viewer { id } }";
    const POLISH_SIGN_IN = "Zaloguj się: wyślij z żądaniem nagłówek Authorization: Bearer z tokenem.";
    const ENGLISH_SIGN_IN = "Sign in: send an Authorization: Bearer token with the request.";

    it("answers in the language Accept-Language prefers, honouring q-values, and in English otherwise", async () => {
      const cases: [string | null, string][] = [
        ["pl", POLISH_SIGN_IN],
        ["pl-PL,pl;q=0.9", POLISH_SIGN_IN],
        ["de, pl;q=0.5", POLISH_SIGN_IN],
        ["en;q=0.3, pl;q=0.8", POLISH_SIGN_IN],
        ["pl;q=0.2, en", ENGLISH_SIGN_IN],
        ["de", ENGLISH_SIGN_IN],
        ["*", ENGLISH_SIGN_IN],
        [null, ENGLISH_SIGN_IN],
      ];
      for (const [header, expected] of cases) {
        const error = failsWith(await send(server, ANONYMOUS, header === null ? {} : { "accept-language": header }), "UNAUTHENTICATED");
        expect(error.message, String(header)).to.equal(expected);
      }
    });

    it("answers requests in flight at the same time each in its own language", async () => {
      const languages = Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? "pl" : "en"));
      const answers = await Promise.all(languages.map((language) => send(server, ANONYMOUS, { "accept-language": language })));
      const messages = answers.map((answer) => failsWith(answer, "UNAUTHENTICATED").message);
      expect(messages).to.deep.equal(languages.map((language) => (language === "pl" ? POLISH_SIGN_IN : ENGLISH_SIGN_IN)));
    });

    it("keeps extensions.code and invalidFields[].field the same in both languages, only the words differ", async () => {
      const admin = await signIn(server, "sprawdzam@firma.example");
      const requests: [string, Record<string, unknown>][] = [
        [CREATE, { input: { name: "   " } }],
        [CREATE, { input: { name: "x".repeat(201) } }],
        [
          `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`,
          { input: { accountId: "bm90LWFuLWlk", role: "SECURITY" } },
        ],
      ];
      for (const [query, variables] of requests) {
        const english = await send(server, query, { "accept-language": "en" }, admin.token, variables);
        const polish = await send(server, query, { "accept-language": "pl" }, admin.token, variables);
        const shape = (response: GraphQLResponse) =>
          response.errors!.map((error) => ({
            code: error.extensions!.code,
            fields: (error.extensions!.invalidFields as { field: string }[] | undefined)?.map((entry) => entry.field),
          }));
        expect(shape(polish)).to.deep.equal(shape(english));
        expect(polish.errors![0]!.message).to.not.equal(english.errors![0]!.message);
        const polishFieldMessages = (polish.errors![0]!.extensions!.invalidFields as { message: string }[]).map((entry) => entry.message);
        const englishFieldMessages = (english.errors![0]!.extensions!.invalidFields as { message: string }[]).map((entry) => entry.message);
        polishFieldMessages.forEach((text, index) => {
          expect(text).to.not.equal(englishFieldMessages[index]);
        });
      }
      const tooLong = await send(server, CREATE, { "accept-language": "pl" }, admin.token, { input: { name: "x".repeat(201) } });
      expect(failsWith(tooLong, "BAD_USER_INPUT").message).to.equal("Pole name może mieć najwyżej 200 znaków.");
      expect(tooLong.errors![0]!.extensions!.invalidFields).to.deep.equal([
        { field: "input.name", message: "Pole name może mieć najwyżej 200 znaków." },
      ]);
    });

    it("says BILLING_CONTACT_LIMIT in Polish with the right plural", async () => {
      const { admin, account, members } = await accountWithMembers(server, 4, "limit");
      for (const member of members.slice(0, 3))
        ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
      const response = await send(
        server,
        `mutation($input: AddBillingContactInput!) { addBillingContact(input: $input) { account { id } } }`,
        { "accept-language": "pl-PL" },
        admin.token,
        {
          input: { accountId: account.id, userId: members[3]!.id },
        },
      );
      const error = failsWith(response, "BILLING_CONTACT_LIMIT");
      expect(error.message).to.equal("Konto może mieć najwyżej 3 kontakty rozliczeniowe. Usuń jeden, zanim dodasz kolejny.");
      expect(error.extensions!.limit).to.equal(3);
    });

    it("words a refusal of a validation rule of its own in Polish, keeping graphql-js's code", async () => {
      const caller = await signIn(server, "subskrypcja@firma.example");
      const subscription = `subscription { accountChanged(accountId: "QWNjb3VudDox") { sequence } }`;
      const error = failsWith(await send(server, subscription, { "accept-language": "pl" }, caller.token), "GRAPHQL_VALIDATION_FAILED");
      expect(error.message).to.equal("Subskrypcje działają przez WebSocket (graphql-ws) pod tym adresem, nie przez HTTP.");
    });

    it("tells caches that an answer depends on Accept-Language", async () => {
      const response = await fetch(`${server.url}?query=${encodeURIComponent("{ __typename }")}`, {
        headers: { "accept-language": "pl", "apollo-require-preflight": "true" },
      });
      expect(response.status).to.equal(200);
      expect(response.headers.get("vary")).to.match(/accept-language/i);
    });

    it("words no client-visible error outside the catalogues: no GraphQLError is built from a sentence in src/", () => {
      const sources = path.join(ROOT, "src");
      const built = sourceFiles(sources)
        .filter((file) => /new GraphQLError\(/.test(fs.readFileSync(file, "utf8")))
        .map((file) => path.relative(sources, file));
      expect(built, "throw a DomainError (or a LocalisedRequestError) with a message key instead").to.deep.equal([]);
    });

    it("refuses outside the GraphQL layer in Polish too: broken JSON and a batch", async () => {
      const broken = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", "accept-language": "pl" },
        body: "{ nope",
      });
      expect(broken.status).to.equal(400);
      expect(await broken.json()).to.deep.equal({
        errors: [{ message: "Treść żądania nie jest prawidłowym JSON-em.", extensions: { code: "BAD_REQUEST" } }],
      });
      const batch = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", "accept-language": "pl" },
        body: JSON.stringify([{ query: "{ __typename }" }]),
      });
      const body = (await batch.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).to.equal("BATCHING_NOT_SUPPORTED");
      expect(body.errors[0]!.message).to.equal("Wysyłaj jedną operację na żądanie: żądania zbiorcze nie są obsługiwane.");
    });

    it("answers a huge or garbage Accept-Language in English, quickly", async () => {
      const headers = [
        "pl;q=0.5,".repeat(1500),
        `${"x".repeat(600)}, pl`,
        ";;;,,,q=,=;q=abc, pl-;q=NaN",
        "pl;q=0",
        "\u00ff\u00fe",
        "-".repeat(8000),
      ];
      for (const header of headers) {
        const started = performance.now();
        const error = failsWith(await send(server, ANONYMOUS, { "accept-language": header }), "UNAUTHENTICATED");
        expect(performance.now() - started, header.slice(0, 20)).to.be.below(1000);
        expect(error.message, header.slice(0, 20)).to.equal(ENGLISH_SIGN_IN);
      }
    });
  });

  describe("plural forms of a limit in a real refusal", () => {
    const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: viewer { id }`).join(" ")} }`;
    const expected: Record<number, string> = {
      1: "Zapytanie używa więcej niż 1 alias. Podziel je na kilka żądań.",
      2: "Zapytanie używa więcej niż 2 aliasy. Podziel je na kilka żądań.",
      5: "Zapytanie używa więcej niż 5 aliasów. Podziel je na kilka żądań.",
      22: "Zapytanie używa więcej niż 22 aliasy. Podziel je na kilka żądań.",
    };
    for (const limit of [1, 2, 5, 22]) {
      it(`says "${expected[limit]}" at MAX_QUERY_ALIASES=${limit}, and the same code in English`, async () => {
        const server = await startTestServer({ env: { MAX_QUERY_ALIASES: String(limit) } });
        try {
          const { token } = await signIn(server, "aliasy@firma.example");
          const polish = failsWith(await send(server, aliases(limit + 1), { "accept-language": "pl" }, token), "TOO_MANY_ALIASES");
          expect(polish.message).to.equal(expected[limit]);
          const english = failsWith(await send(server, aliases(limit + 1), { "accept-language": "en" }, token), "TOO_MANY_ALIASES");
          expect(english.message).to.equal(
            `The query uses more than ${limit} ${limit === 1 ? "alias" : "aliases"}. Split it into several requests.`,
          );
        } finally {
          await server.close();
        }
      });
    }
  });

  describe("an account's language", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    });
    after(() => server.close());

    const mailTo = (email: string) => server.db.read((m) => m.find(NotificationDelivery, { where: { email }, order: { sequence: "ASC" } }));

    it("is set on create (the server's default when not given) and changed by an admin only, each change kept", async () => {
      const admin = await signIn(server, "wlasciciel@firma.example");
      const polish = ok(await server.graphql(CREATE, { input: { name: "Firma", locale: "PL" } }, admin.token)).createAccount.account;
      expect(polish.locale).to.equal("PL");
      expect(ok(await server.graphql(CREATE, { input: { name: "Company" } }, admin.token)).createAccount.account.locale).to.equal("EN");

      const member = await signIn(server, "czlonek@firma.example");
      await addMember(server, admin, polish.id, member.email, "MEMBER");
      const refused = await server.graphql(UPDATE, { input: { accountId: polish.id, locale: "EN" } }, member.token);
      failsWith(refused, "FORBIDDEN");

      const changed = ok(await server.graphql(UPDATE, { input: { accountId: polish.id, locale: "EN" } }, admin.token)).updateAccount
        .account;
      expect(changed.locale).to.equal("EN");
      expect(changed.settingChanges.nodes).to.have.lengthOf(1);
      expect(changed.settingChanges.nodes[0]).to.deep.include({
        setting: "LOCALE",
        previousValue: "pl",
        newValue: "en",
        actor: { email: admin.email },
      });
      const again = ok(await server.graphql(UPDATE, { input: { accountId: polish.id, locale: "EN" } }, admin.token)).updateAccount.account;
      expect(again.settingChanges.nodes, "setting the language it has records nothing").to.have.lengthOf(1);
      const node = ok(
        await server.graphql(
          `query($id: ID!) { node(id: $id) { ... on AccountSettingChange { newValue } } }`,
          { id: changed.settingChanges.nodes[0].id },
          admin.token,
        ),
      );
      expect(node.node).to.deep.equal({ newValue: "en" });
      failsWith(
        await server.graphql(
          `query($id: ID!) { node(id: $id) { id } }`,
          { id: changed.settingChanges.nodes[0].id },
          (await signIn(server, "obcy@inna.example")).token,
        ),
        "NOT_FOUND",
      );
    });

    it("writes the verification mail in the account's language, with the seed's Polish role name", async () => {
      const { admin, account } = await accountWithMembers(server, 1, "pl-mail");
      ok(await server.graphql(UPDATE, { input: { accountId: account.id, locale: "PL" } }, admin.token));
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: "soc@partner-pl.example" }));
      const [polish] = await mailTo("soc@partner-pl.example");
      expect(polish!.subject).to.match(/^Potwierdź rolę „osoba kontaktowa ds\. bezpieczeństwa” dla konta "/);
      expect(polish!.body).to.include("Administrator konta podał Twój adres w roli „osoba kontaktowa ds. bezpieczeństwa”.");
      expect(polish!.body).to.include("Potwierdź to albo daj nam znać, że to nie Ty, w ciągu 7 dni na tej stronie:");

      const english = await accountWithMembers(server, 1, "en-mail");
      ok(
        await mutate(server, english.admin.token, "setRoleContact", {
          accountId: english.account.id,
          role: "SECURITY",
          email: "soc@partner-en.example",
        }),
      );
      const [sent] = await mailTo("soc@partner-en.example");
      expect(sent!.subject).to.match(/^Confirm that you are the security contact for the account "/);
      expect(sent!.body).to.include("within 7 days").and.not.include("Potwierdź");
    });

    it("writes the test notification in the account's language, naming the slots as the seed does", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "pl-test");
      ok(await server.graphql(UPDATE, { input: { accountId: account.id, locale: "PL" } }, admin.token));
      ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: admin.id }));
      ok(
        await server.graphql(
          `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { deliveries { id } } }`,
          { input: { accountId: account.id, category: "INVOICE" } },
          admin.token,
        ),
      );
      const [message] = await mailTo(admin.email);
      expect(message!.subject).to.match(/^Testowe powiadomienie \(faktury\) dla konta "/);
      expect(`${message!.subject}\n${message!.body}`, "no category code in a Polish mail").to.not.match(/INVOICE/);
      expect(message!.body)
        .to.include("To wiadomość testowa: nic nie trzeba robić.")
        .and.include("Otrzymujesz ją jako: główny kontakt konta, kontakt rozliczeniowy");
    });

    it("keeps an account name that looks like a placeholder as it is, quoted, in a Polish mail", async () => {
      const admin = await signIn(server, "wstrzykuje@firma.example");
      const name = "{title} {email} https://evil.example";
      const account = ok(await server.graphql(CREATE, { input: { name, locale: "PL" } }, admin.token)).createAccount.account;
      ok(
        await mutate(server, admin.token, "setRoleContact", {
          accountId: account.id,
          role: "SECURITY",
          email: "soc@wstrzykniecie.example",
        }),
      );
      const [message] = await mailTo("soc@wstrzykniecie.example");
      expect(message!.body).to.include('Nazwa konta: "{title} {email} https[:]//evil[.]example"');
      expect(message!.subject).to.include('"{title} {email}');
      expect(message!.body).to.not.include("evil.example");
    });
  });

  describe("the locale migration", () => {
    it("gives existing accounts English, and its revert drops the column and the setting history, keeping the accounts", async () => {
      const url = await freshDatabaseUrl();
      const db = await Database.open({ databaseUrl: url });
      const server = await startTestServer({ db, env: { MUTATION_RATE_LIMIT: "0" } });
      try {
        const admin = await signIn(server, "migracja@firma.example");
        const account = ok(await server.graphql(CREATE, { input: { name: "Stare konto", locale: "PL" } }, admin.token)).createAccount
          .account;
        ok(await server.graphql(UPDATE, { input: { accountId: account.id, locale: "EN" } }, admin.token));
        expect(await selectRows(db, sql`SELECT "id" FROM "account_setting_changes"`)).to.have.lengthOf(1);

        // The locale migration and those after it, each reverted as `migration:revert` does it.
        const fromLocale = MIGRATIONS.slice(MIGRATIONS.findIndex((migration) => migration.name === "AccountLocale1796600000000")).map(
          (migration) => migration.name,
        );
        for (const _ of fromLocale) await db.dataSource.undoLastMigration({ transaction: "all" });
        const [reverted] = await selectRows(db, sql`SELECT * FROM "accounts"`);
        expect(reverted).to.include({ name: "Stare konto" }).and.not.have.property("locale");
        let historyTable = true;
        await selectRows(db, sql`SELECT "id" FROM "account_setting_changes"`).catch(() => (historyTable = false));
        expect(historyTable, "account_setting_changes is dropped").to.equal(false);

        expect(await db.migrate()).to.deep.equal(fromLocale);
        expect(await selectRows(db, sql`SELECT "name", "locale" FROM "accounts"`)).to.deep.equal([{ name: "Stare konto", locale: "en" }]);
        let refused = false;
        await db.dataSource.query(`UPDATE "accounts" SET "locale" = 'de'`).catch(() => (refused = true));
        expect(refused, "the CHECK refuses a language the service does not speak").to.equal(true);
      } finally {
        await server.close();
        await db.close();
        await dropTestDatabase(url);
      }
    });
  });

  describe("DEFAULT_LOCALE", function () {
    this.timeout(60_000);
    let directory: string;
    beforeEach(() => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-locale-"));
    });
    afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("pl gives GraphiQL's help and the demo data in Polish", async () => {
      const server = await spawnServer(
        {
          DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`,
          AUTH_JWT_SECRET: "locale-test-secret-long-enough-for-hs256",
          NODE_ENV: "development",
          DEMO_TOKEN: "true",
          DEFAULT_LOCALE: "pl",
          LOG_LEVEL: "info",
        },
        "Authorization: Bearer ",
      );
      try {
        const token = /Authorization: Bearer (\S+)/.exec(server.output())![1]!;
        const page = await (await fetch(server.url, { headers: { accept: "text/html" } })).text();
        const settings = JSON.parse(/<script type="application\/json" id="graphiql-settings">(.*?)<\/script>/s.exec(page)![1]!) as {
          defaultQuery: string;
        };
        expect(settings.defaultQuery).to.match(/^# Witaj w contact-points\.\n#\n# Zakładka Headers poniżej zawiera token/);
        const response = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: "{ accounts { nodes { name locale } } }" }),
        });
        const { data } = (await response.json()) as { data: { accounts: { nodes: { name: string; locale: string }[] } } };
        expect(data.accounts.nodes).to.deep.equal([
          { name: "Hurtownia Północ", locale: "PL" },
          { name: "Acme Analityka", locale: "PL" },
          { name: "Globex Logistyka", locale: "PL" },
        ]);
        const created = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: `mutation { createAccount(input: { name: "Nowe konto" }) { account { locale } } }` }),
        });
        expect(
          ((await created.json()) as { data: { createAccount: { account: { locale: string } } } }).data.createAccount.account.locale,
          "a new account without a locale",
        ).to.equal("PL");
      } finally {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    });

    it("refuses to start with any other value, in one line", async () => {
      const result = await runToEnd([MAIN], {
        NODE_ENV: "development",
        DEFAULT_LOCALE: "xx",
        DATABASE_URL: `sqlite:${path.join(directory, "db.sqlite")}`,
      });
      expect(result.code).to.equal(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines).to.have.lengthOf(1);
      expect(lines[0]).to.contain("DEFAULT_LOCALE must be one of en, pl, got").and.contain("xx");
    });
  });
});
