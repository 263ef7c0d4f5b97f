// The console: who is signed in, their accounts (newest first), and the audit trail of one account.
import { graphql, useLazyLoadQuery } from "react-relay";
import type { ConsoleScreenQuery } from "./__generated__/ConsoleScreenQuery.graphql";
import { AccountDirectory } from "./AccountDirectory";
import { AuditTrail } from "./AuditTrail";

export function ConsoleScreen({ selectedAccountId }: { selectedAccountId: string | null }) {
  const data = useLazyLoadQuery<ConsoleScreenQuery>(
    graphql`
      query ConsoleScreenQuery($selectedAccountId: ID!, $withSelected: Boolean!) {
        viewer {
          id
          email
          name
        }
        ...AccountDirectory_query
        # Any object comes back by its global id through node(id:). A fragment on Account spread on a
        # Node needs @alias: its reference is then null unless the object is an Account.
        selected: node(id: $selectedAccountId) @include(if: $withSelected) {
          id
          ...AuditTrail_account @alias(as: "auditTrail")
        }
      }
    `,
    { selectedAccountId: selectedAccountId ?? "", withSelected: selectedAccountId !== null },
  );
  const auditTrail = data.selected?.auditTrail ?? null;
  return (
    <main>
      <p>Signed in as {data.viewer.name ?? data.viewer.email}</p>
      <AccountDirectory query={data} />
      {auditTrail ? <AuditTrail account={auditTrail} /> : null}
    </main>
  );
}
