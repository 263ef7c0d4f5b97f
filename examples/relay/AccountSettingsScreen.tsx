// The account settings screen, as a Relay app builds it: one query for the page, each panel asking
// for what it shows through its own fragment. `npm run relay:examples` (relay-compiler run in this
// folder) compiles these documents against schema.graphql; test/toolchain.test.ts does it on every run.
// The components show how the documents are used; they are not type-checked here (this project has no
// react-relay dependency).
import { graphql, useLazyLoadQuery } from "react-relay";
import type { AccountSettingsScreenQuery } from "./__generated__/AccountSettingsScreenQuery.graphql";
import { AccountContactsPanel } from "./AccountContactsPanel";
import { ContactHistoryPanel } from "./ContactHistoryPanel";
import { MemberList } from "./MemberList";

export function AccountSettingsScreen({ accountId }: { accountId: string }) {
  const data = useLazyLoadQuery<AccountSettingsScreenQuery>(
    graphql`
      query AccountSettingsScreenQuery($accountId: ID!) {
        # Nullable since 1.0: a missing account (or one the viewer may not see) is null plus a
        # NOT_FOUND error, and the rest of the response still arrives.
        account(id: $accountId) {
          id
          name
          viewerRole
          ...AccountContactsPanel_account
          ...MemberList_account
          ...ContactHistoryPanel_account
        }
      }
    `,
    { accountId },
  );
  if (!data.account) return <p>This account does not exist or you no longer have access.</p>;
  return (
    <main>
      <h1>{data.account.name}</h1>
      <AccountContactsPanel account={data.account} />
      <MemberList account={data.account} />
      <ContactHistoryPanel account={data.account} />
    </main>
  );
}
