// The /v1 JSON API as the pages call it: the stored token as a bearer token, problems as
// ApiError, and a 401 turned into the token form (the router re-renders once a token is given).

const TOKEN_KEY = "reformlog.token";

export class ApiError extends Error {
  constructor(status, code, title, detail) {
    super(detail || title || code || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
  }
}

export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(value) {
  try {
    sessionStorage.setItem(TOKEN_KEY, value);
  } catch {
    // Without storage the token lasts as long as this page.
  }
}

export function clearToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing stored, nothing to clear.
  }
}

export function authHeaders() {
  const value = token();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

// "/committees/x" or "/v1/committees/x", with a query as an object or URLSearchParams;
// empty values are left out, so a page can pass what its URL had.
export function url(path, query) {
  const full = path.startsWith("/v1/") ? path : `/v1${path.startsWith("/") ? "" : "/"}${path}`;
  const params = new URLSearchParams();
  const entries = query instanceof URLSearchParams ? query.entries() : Object.entries(query || {});
  for (const [k, v] of entries) {
    if (v !== null && v !== undefined && v !== "") params.append(k, String(v));
  }
  const text = params.toString();
  return text ? `${full}?${text}` : full;
}

// Set by the router: shows the token form and re-renders on submit.
let askForToken = null;
export function onUnauthorized(fn) {
  askForToken = fn;
}

async function problem(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // A body that is not problem+json still has its status.
  }
  return new ApiError(response.status, body.code || String(response.status), body.title, body.detail);
}

// The log position of the last answer read, for main[data-position].
export let lastPosition = null;

export async function get(path, query) {
  let response;
  const used = token();
  try {
    response = await fetch(url(path, query), { headers: { Accept: "application/json", ...authHeaders() } });
  } catch (cause) {
    throw new ApiError(0, "network", "network", String(cause));
  }
  if (!response.ok) {
    const error = await problem(response);
    if (response.status === 401 && askForToken) {
      // The router shows the form and renders the page again once a token is given; this
      // call's page is abandoned.
      askForToken(error, used);
    }
    throw error;
  }
  const body = await response.json();
  if (body && typeof body.position === "number") lastPosition = body.position;
  return body;
}

export const api = { get, url, token, setToken, clearToken, authHeaders, ApiError };
