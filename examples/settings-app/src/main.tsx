// Entry point: reads the API's address and a token handed over in the address, then renders the app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { apiUrlFromPage, takeTokenFromAddress } from "./session";

const apiUrl = apiUrlFromPage(document);
const initialToken = takeTokenFromAddress(window.location, window.history);
const root = document.getElementById("root");
if (!root) throw new Error("The page has no #root element.");
createRoot(root).render(
  <StrictMode>
    <App apiUrl={apiUrl} initialToken={initialToken} />
  </StrictMode>,
);
