// Mounts GraphiQL. Loaded as a file, not inline, so the page's Content-Security-Policy can forbid
// inline scripts; the server passes its settings in the JSON data block #graphiql-settings.
(function () {
  "use strict";

  var NAMESPACE = "graphiql:";
  // GraphiQL's own key for the Headers editor, written only when headers are persisted.
  var HEADERS_KEY = NAMESPACE + "headers";
  var PERSIST_HEADERS_KEY = NAMESPACE + "shouldPersistHeaders";
  var JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
  var BEARER = /(Bearer\s+)[A-Za-z0-9._~+/-]+=*/gi;
  var REMOVED = "<removed>";

  /** Drops every `headers` field (history, favourites and tabs all carry one) and blanks anything shaped like a credential. */
  function scrub(key, value) {
    if (key === HEADERS_KEY || key === PERSIST_HEADERS_KEY) return null;
    var clean = value;
    try {
      clean = JSON.stringify(JSON.parse(value), function (field, inner) {
        // Null, not absent: GraphiQL refuses a stored tab without a headers field.
        return field === "headers" ? null : inner;
      });
    } catch (notJson) {
      // Plain text (the query, the variables): only the patterns below apply.
    }
    return clean.replace(JWT, REMOVED).replace(BEARER, "$1" + REMOVED);
  }

  function graphiqlKeys(backing) {
    var keys = [];
    for (var index = 0; index < backing.length; index++) {
      var key = backing.key(index);
      if (key !== null && key.indexOf(NAMESPACE) === 0) keys.push(key);
    }
    return keys;
  }

  /**
   * localStorage as GraphiQL sees it: every write passes through scrub, so no token reaches the disk,
   * whatever GraphiQL itself decides to keep (its history saves the headers of each run).
   */
  function scrubbedStorage(backing) {
    // Whatever an older page left behind is cleaned before GraphiQL reads it.
    graphiqlKeys(backing).forEach(function (key) {
      var value = backing.getItem(key);
      var clean = value === null ? null : scrub(key, value);
      if (clean === null) backing.removeItem(key);
      else if (clean !== value) backing.setItem(key, clean);
    });
    return {
      getItem: function (key) {
        return backing.getItem(key);
      },
      setItem: function (key, value) {
        var clean = scrub(key, String(value));
        if (clean === null) backing.removeItem(key);
        else backing.setItem(key, clean);
      },
      removeItem: function (key) {
        backing.removeItem(key);
      },
      get length() {
        return graphiqlKeys(backing).length;
      },
      clear: function () {
        graphiqlKeys(backing).forEach(function (key) {
          backing.removeItem(key);
        });
      },
    };
  }

  function browserStorage() {
    try {
      return scrubbedStorage(window.localStorage);
    } catch (unavailable) {
      // Storage switched off or full: GraphiQL then keeps nothing between visits.
      return null;
    }
  }

  var settings = JSON.parse(document.getElementById("graphiql-settings").textContent);
  var endpoint = window.location.origin + window.location.pathname;
  // Subscriptions go over WebSocket (graphql-ws, bundled in GraphiQL's own file) to the same path;
  // the Headers editor's Authorization is sent as the connection_init payload.
  var subscriptionUrl = endpoint.replace(/^http/, "ws");
  var props = {
    fetcher: GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: subscriptionUrl }),
    defaultQuery: settings.defaultQuery,
    defaultEditorToolsVisibility: settings.defaultHeaders ? "headers" : true,
    storage: browserStorage(),
    // Headers hold bearer tokens: never write them to localStorage, and hide the switch that would.
    shouldPersistHeaders: false,
  };
  if (settings.defaultHeaders) props.defaultHeaders = settings.defaultHeaders;
  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQL, props));
})();
