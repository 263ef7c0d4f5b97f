// Mounts GraphiQL. Loaded as a file, not inline, so the page's Content-Security-Policy can forbid
// inline scripts; the server passes its settings in the JSON data block #graphiql-settings.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("graphiql-settings").textContent);
  var endpoint = window.location.origin + window.location.pathname;
  var props = {
    fetcher: GraphiQL.createFetcher({ url: endpoint }),
    defaultQuery: settings.defaultQuery,
    defaultEditorToolsVisibility: settings.defaultHeaders ? "headers" : true,
    // Headers hold bearer tokens: never write them to localStorage, and hide the switch that would.
    shouldPersistHeaders: false,
  };
  if (settings.defaultHeaders) props.defaultHeaders = settings.defaultHeaders;
  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQL, props));
})();
