// Calls to the service's /v1 API on this page's own origin. When the service answers 401 (tokens are
// configured), the page asks for a bearer token once, keeps it in this tab's sessionStorage only, and
// retries the call.

const TOKEN_KEY = "spbe-workbench-token";
let token = readToken();
let asking = null;

function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

function keepToken(value) {
  token = value;
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Without storage the token stays in memory for this page.
  }
}

/** Ask for a token in the page's dialog; resolve with it, or with "" when the user cancels. */
function askToken() {
  if (asking) return asking;
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token");
  input.value = "";
  asking = new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        asking = null;
        resolve(dialog.returnValue === "ok" ? input.value.trim() : "");
      },
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** An error answered by the service: its RFC 9457 problem. */
export class Problem extends Error {
  constructor(status, problem) {
    super(problem.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Call `path` on /v1; return the Response. A problem answer throws a Problem with the service's message. */
export async function call(path, { method = "GET", body, contentType = "application/json", accept } = {}) {
  for (;;) {
    const headers = {};
    if (body !== undefined) headers["content-type"] = contentType;
    if (accept) headers.accept = accept;
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`/v1${path}`, { method, headers, body });
    if (response.status === 401) {
      const given = await askToken();
      if (!given) {
        keepToken("");
        throw new Problem(401, await response.json().catch(() => ({ detail: "401" })));
      }
      keepToken(given);
      continue;
    }
    if (!response.ok) {
      let problem;
      try {
        problem = await response.json();
      } catch {
        problem = { detail: `HTTP ${response.status}` };
      }
      throw new Problem(response.status, problem);
    }
    return response;
  }
}

/** GET a JSON document from /v1. */
export async function getJson(path) {
  return (await call(path)).json();
}

/** POST a JSON body to /v1 and return the JSON answer. */
export async function postJson(path, data) {
  return (await call(path, { method: "POST", body: JSON.stringify(data) })).json();
}
