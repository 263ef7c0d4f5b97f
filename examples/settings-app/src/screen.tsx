// What every part of the screen needs to know: the user's language and texts, and where the API is.
import { createContext, useContext } from "react";
import type { ApiProblem } from "./errors";
import type { Language, Messages } from "./i18n";

export interface Screen {
  language: Language;
  messages: Messages;
  apiUrl: string;
  /** Called when the API says the token is missing, bad or expired. */
  signOut: (problem?: ApiProblem) => void;
}

export const ScreenContext = createContext<Screen | null>(null);

export function useScreen(): Screen {
  const screen = useContext(ScreenContext);
  if (!screen) throw new Error("useScreen() outside <ScreenContext.Provider>");
  return screen;
}
