// The API client: the key lives in this tab's session storage only, and leaves the browser
// only in the Authorization header of requests to this same API (never in a URL, never logged).

const KEY_ITEM = 'linkcheck.apiKey';

// The page is served at <base>/ui, next to the API's own routes.
export const base = location.pathname.replace(/\/ui\/?$/, '');

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code || '';
  }
}

export function hasKey() {
  return Boolean(sessionStorage.getItem(KEY_ITEM));
}

export function saveKey(key) {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_ITEM);
}

// A key is printable ASCII without spaces (what a header can carry); anything else is a typo.
export function keyProblem(key) {
  if (!key) return 'Enter an API key.';
  if (!/^[\x21-\x7e]{8,256}$/.test(key)) {
    return 'An API key is 8 to 256 printable characters without spaces (it starts with lck_).';
  }
  return '';
}

export function path(...segments) {
  return segments.map((s) => '/' + encodeURIComponent(s)).join('');
}

export async function api(method, route, { query, body } = {}) {
  const key = sessionStorage.getItem(KEY_ITEM);
  if (!key) throw new ApiError(401, 'Enter your API key first.', 'unauthorized');
  const url = new URL(base + route, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  const headers = { Authorization: `Bearer ${key}`, Accept: 'application/json' };
  const init = { method, headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'The API could not be reached: check your connection and try again.');
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const message = error.message || (data && data.message) || `The API answered ${response.status}.`;
    throw new ApiError(response.status, message, error.code);
  }
  return data;
}
