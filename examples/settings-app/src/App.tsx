// The page around the settings screen: language switch, sign-in with a token, and the account chooser.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { ApolloProvider, useQuery } from "@apollo/client/react";
import { createClient } from "./apollo";
import { problemsOf, type ApiProblem } from "./errors";
import { CATALOGUES, LANGUAGES, preferredLanguage, type Language } from "./i18n";
import { AccountsQuery } from "./operations";
import { cleanToken } from "./session";
import { ScreenContext, useScreen, type Screen } from "./screen";
import { SettingsScreen } from "./SettingsScreen";
import { ProblemList } from "./ProblemList";

interface AppProps {
  apiUrl: string;
  initialToken: string | null;
}

export function App({ apiUrl, initialToken }: AppProps) {
  const [language, setLanguage] = useState<Language>(() => preferredLanguage(navigator.languages));
  const [token, setToken] = useState<string | null>(initialToken);
  const [signInProblem, setSignInProblem] = useState<ApiProblem | null>(null);
  // The link reads these on every request, so a new token or language applies without a new client.
  const tokenRef = useRef(token);
  const languageRef = useRef(language);
  tokenRef.current = token;
  languageRef.current = language;
  // The client is made before signOut, which needs it: the socket reaches signOut through this ref.
  const signOutRef = useRef<(problem?: ApiProblem) => void>(() => undefined);
  const client = useMemo(
    () =>
      createClient(apiUrl, {
        token: () => tokenRef.current,
        language: () => languageRef.current,
        signInRefused: () => signOutRef.current({ code: "UNAUTHENTICATED" }),
      }),
    [apiUrl],
  );
  const messages = CATALOGUES[language];

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${messages.title} · ${messages.breadcrumb}`;
  }, [language, messages]);

  const signOut = useCallback(
    (problem?: ApiProblem) => {
      setToken(null);
      setSignInProblem(problem ?? null);
      // Nothing one person saw stays behind for the next token.
      void client.clearStore();
    },
    [client],
  );
  signOutRef.current = signOut;
  const screen: Screen = useMemo(() => ({ language, messages, apiUrl, signOut }), [language, messages, apiUrl, signOut]);

  return (
    <ScreenContext.Provider value={screen}>
      <ApolloProvider client={client}>
        <header className="top">
          <div>
            <p className="breadcrumb">{messages.breadcrumb}</p>
            <h1>{messages.title}</h1>
          </div>
          <LanguageSwitch language={language} onChange={setLanguage} />
        </header>
        <main>
          {token ? (
            <Accounts />
          ) : (
            <SignIn
              problem={signInProblem}
              onToken={(value) => {
                setSignInProblem(null);
                setToken(value);
              }}
            />
          )}
        </main>
      </ApolloProvider>
    </ScreenContext.Provider>
  );
}

function LanguageSwitch({ language, onChange }: { language: Language; onChange: (language: Language) => void }) {
  const { messages } = useScreen();
  return (
    <div className="language" role="group" aria-label={messages.languageLabel}>
      {LANGUAGES.map((option) => (
        <button key={option} type="button" lang={option} aria-pressed={option === language} onClick={() => onChange(option)}>
          {CATALOGUES[option].languageName}
        </button>
      ))}
    </div>
  );
}

function SignIn({ problem, onToken }: { problem: ApiProblem | null; onToken: (token: string) => void }) {
  const { messages, apiUrl } = useScreen();
  const [text, setText] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = cleanToken(text);
    if (token) onToken(token);
  };
  return (
    <form className="card sign-in" onSubmit={submit}>
      <h2>{messages.signIn.heading}</h2>
      {problem && <ProblemList problems={[problem]} />}
      <p className="hint">{messages.signIn.explanation}</p>
      <label htmlFor="token">{messages.signIn.tokenLabel}</label>
      {/* A password field: browsers neither show nor autofill-save it in plain text. */}
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="primary">
        {messages.signIn.submit}
      </button>
      <p className="hint">API: {apiUrl}</p>
    </form>
  );
}

function Accounts() {
  const { messages, apiUrl, signOut } = useScreen();
  const { data, error } = useQuery(AccountsQuery);
  const [chosen, setChosen] = useState<string | null>(null);
  const problems = error ? problemsOf(error) : [];
  const unauthenticated = problems.find((problem) => problem.code === "UNAUTHENTICATED");

  useEffect(() => {
    if (unauthenticated) signOut(unauthenticated);
  }, [unauthenticated, signOut]);

  if (problems.length > 0) return <ProblemList problems={problems} />;
  if (!data) return <p className="loading">{messages.loading}</p>;

  const accounts = data.accounts.edges.map((edge) => edge.node);
  const accountId = chosen ?? accounts[0]?.id ?? null;
  const viewer = data.viewer.name ? `${data.viewer.name} (${data.viewer.email})` : data.viewer.email;
  return (
    <>
      <div className="session">
        <label>
          {messages.accountLabel}{" "}
          <select value={accountId ?? ""} onChange={(event) => setChosen(event.target.value)} disabled={accounts.length === 0}>
            {accounts.map((account) => (
              <option key={account.id} value={account.id}>
                {account.name}
              </option>
            ))}
          </select>
        </label>
        <span className="viewer">{messages.signIn.signedInAs(viewer)}</span>
        <button type="button" className="link" onClick={() => signOut()}>
          {messages.signIn.forget}
        </button>
      </div>
      {accountId ? <SettingsScreen key={accountId} accountId={accountId} viewerId={data.viewer.id} /> : <p>{messages.noAccounts}</p>}
      <p className="hint api">API: {apiUrl}</p>
    </>
  );
}
