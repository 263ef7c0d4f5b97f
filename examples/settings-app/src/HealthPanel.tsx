// "What needs attention": the account's contact health as the server computes it on every read.
import type { SettingsAccountContactsFragment } from "./gql/graphql";
import { slotName } from "./i18n";
import { useScreen } from "./screen";

export function HealthPanel({ account, personOf }: { account: SettingsAccountContactsFragment; personOf: (email: string) => string }) {
  const { messages } = useScreen();
  const { missingRoles, issues } = account.contactHealth;
  const items = [
    ...issues.map((issue) => {
      const slot = slotName(messages, issue.slot);
      const who = personOf(issue.email);
      const describe = issue.kind === "%future added value" ? undefined : messages.health.issue[issue.kind];
      return {
        key: `${issue.kind}:${issue.slot}:${issue.email}`,
        kind: issue.kind,
        text: describe ? describe(who, slot) : messages.health.unknownIssue(issue.kind, who, slot),
      };
    }),
    ...missingRoles.map((role) => ({
      key: `missing:${role}`,
      kind: "MISSING_ROLE",
      text: messages.health.missingRole(slotName(messages, role)),
    })),
  ];
  return (
    <section className="card health" aria-labelledby="health-heading">
      <h3 id="health-heading">{messages.health.heading}</h3>
      <p className={items.length ? "summary attention" : "summary"}>
        {items.length ? messages.health.summary(items.length) : messages.health.allGood}
      </p>
      {items.length > 0 && (
        <ul>
          {items.map((item) => (
            <li key={item.key} data-kind={item.kind}>
              {item.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
