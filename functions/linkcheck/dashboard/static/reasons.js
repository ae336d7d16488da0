// Plain words for the API's machine-readable verdicts (the wording of docs/verdicts.md).
// A test holds REASONS equal to the engine's list of reasons.

export const STATUSES = {
  ok: 'The content is there.',
  broken: 'The content is gone for everyone.',
  restricted: 'The content exists, but its audience cannot see it.',
  error: 'The server or network failed, or the check was not made: unknown, not counted as dead.',
  blocked: 'The checker itself was refused: this says nothing about the link.',
  invalid: 'The link cannot be checked as given.',
};

// A registered link's confirmed state.
export const STATES = {
  unchecked: 'Not checked yet.',
  ok: 'The content is there.',
  broken: 'The content is gone for everyone (confirmed by a second check).',
  restricted: 'The content exists, but its audience cannot see it (confirmed).',
  down: 'Several checks in a row failed (server or network): the site may be down.',
};

export const REASONS = {
  http_2xx: 'The page answered and its content is there.',
  http_404: 'The server says the page does not exist (404 Not Found).',
  http_410: 'The server says the page is gone for good (410 Gone).',
  soft_404: 'The page answers 200 but says it was not found.',
  parked_domain: 'The domain is parked: the site is gone.',
  platform_deleted: 'The platform says this content was deleted.',
  redirect_to_home: "The link now leads to the site's home page: the page it named is gone.",
  dns_nxdomain: 'The domain name does not exist (DNS: no such name).',
  missing_fragment: 'The page answered, but the #fragment the link names is not one of its anchors.',
  platform_private: 'The content exists but is private.',
  login_required: 'The content requires a login for everyone.',
  geo_blocked: 'The content is not available in some countries.',
  age_restricted: 'The content is behind an age gate.',
  http_401: 'The server asks for credentials (401 Unauthorized).',
  http_451: 'The content is unavailable for legal reasons (451).',
  http_5xx: 'The server failed (5xx): unknown, not counted as dead.',
  http_4xx: 'The server refused the request with an unusual 4xx status.',
  timeout: 'The server took too long to answer.',
  connect_error: 'No connection could be made to the server.',
  tls_error: 'The secure connection (TLS) failed.',
  too_many_redirects: 'The link redirects too many times.',
  redirect_loop: 'The link redirects in a loop.',
  protocol_error: "The server's answer could not be read.",
  not_checked: 'The check was not made: this says nothing about the link.',
  bot_challenge: 'The checker was shown a bot challenge: this says nothing about the link.',
  http_999: 'The site refused the checker (999): this says nothing about the link.',
  http_403: 'The site refused the checker (403 Forbidden): this says nothing about the link.',
  rate_limited: 'The site rate-limited the checker: this says nothing about the link.',
  bad_url: 'The URL cannot be read as given.',
  unsupported_scheme: 'Only http and https links can be checked.',
  forbidden_target: 'The link points to a private or internal address, which is never checked.',
};

export function reasonText(reason) {
  return REASONS[reason] || `Reason: ${reason}`;
}

export function statusText(status) {
  return STATUSES[status] || STATES[status] || '';
}
