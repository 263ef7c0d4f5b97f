// The people an admin invited who have not answered yet, with a Withdraw button each. They are not
// members until they accept, so no contact slot offers them; the list says so. Admins only.
import { useMutation, useQuery } from "@apollo/client/react";
import { graphql } from "./gql";
import { problemsOf } from "./errors";
import { ProblemList } from "./ProblemList";
import { useScreen } from "./screen";
import type { Language } from "./i18n";

const PendingInvitationsQuery = graphql(`
  query SettingsPendingInvitations($accountId: ID!) {
    account(id: $accountId) {
      id
      invitations(first: 20) {
        totalCount
        nodes {
          id
          email
          role
          expired
          expiresAt
        }
      }
    }
  }
`);

const WithdrawInvitationMutation = graphql(`
  mutation SettingsWithdrawInvitation($input: WithdrawInvitationInput!) {
    withdrawInvitation(input: $input) {
      withdrawnInvitationId
    }
  }
`);

const TEXT: Record<
  Language,
  {
    heading: string;
    hint: string;
    none: string;
    expired: string;
    until: (date: string) => string;
    withdraw: string;
    role: Record<string, string>;
  }
> = {
  en: {
    heading: "Invited, not yet members",
    hint: "They become members, and can be named as contacts, once they accept the invitation mailed to them.",
    none: "No invitation is waiting for an answer.",
    expired: "expired",
    until: (date) => `until ${date}`,
    withdraw: "Withdraw",
    role: { ADMIN: "admin", MEMBER: "member" },
  },
  pl: {
    heading: "Zaproszeni, jeszcze nie członkowie",
    hint: "Staną się członkami i będzie można wskazać ich jako kontakty, gdy przyjmą wysłane im zaproszenie.",
    none: "Żadne zaproszenie nie czeka na odpowiedź.",
    expired: "wygasło",
    until: (date) => `do ${date}`,
    withdraw: "Wycofaj",
    role: { ADMIN: "administrator", MEMBER: "członek" },
  },
};

export function PendingInvitations({ accountId }: { accountId: string }) {
  const { language, messages } = useScreen();
  const text = TEXT[language];
  const { data, error, refetch } = useQuery(PendingInvitationsQuery, { variables: { accountId } });
  const [withdraw, withdrawing] = useMutation(WithdrawInvitationMutation);
  const invitations = data?.account?.invitations;
  return (
    <section className="card invitations" aria-labelledby="invitations-heading">
      <h3 id="invitations-heading">{text.heading}</h3>
      {(error || withdrawing.error) && <ProblemList problems={problemsOf((error ?? withdrawing.error)!)} />}
      <p className="hint">{text.hint}</p>
      {invitations && invitations.nodes.length === 0 && <p className="empty">{text.none}</p>}
      {invitations && invitations.nodes.length > 0 && (
        <ul>
          {invitations.nodes.map((invitation) => (
            <li key={invitation.id} data-invitation={invitation.email}>
              <span>{invitation.email}</span> ({text.role[invitation.role] ?? invitation.role},{" "}
              {invitation.expired ? text.expired : text.until(messages.dateTime(invitation.expiresAt))}){" "}
              <button
                type="button"
                className="link"
                disabled={withdrawing.loading}
                onClick={() => void withdraw({ variables: { input: { invitationId: invitation.id } } }).then(() => refetch())}
              >
                {text.withdraw}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
