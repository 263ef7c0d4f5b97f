// Errors as the user reads them: one sentence per code in their language, with the code beside it
// for whoever they report it to.
import { describeProblem, type ApiProblem } from "./errors";
import { useScreen } from "./screen";

export function ProblemList({ problems }: { problems: readonly ApiProblem[] }) {
  const { messages, apiUrl } = useScreen();
  // BAD_USER_INPUT comes once per refused field; the sentence is the same for each.
  const shown = new Map<string, ApiProblem>();
  for (const problem of problems) shown.set(`${problem.code}:${problem.changeSaved ? "saved" : ""}`, problem);
  if (shown.size === 0) return null;
  return (
    <div className="problems" role="alert">
      {[...shown.values()].map((problem) => (
        <p key={`${problem.code}:${problem.changeSaved ? "saved" : ""}`} className="problem" data-code={problem.code}>
          {describeProblem(messages, problem, apiUrl)}{" "}
          <span className="code" title={messages.errorCode}>
            {problem.code}
          </span>
        </p>
      ))}
    </div>
  );
}
