// The dashboard's entry point: sign-in with an API key, then one view at a time, chosen by
// the address's #fragment (#links, #link/<id>, #audits, #audit/<id>, #smartlinks).

import { api, forgetKey, hasKey, keyProblem, saveKey } from './api.js';
import { clearError, h, replace, showError } from './dom.js';
import { renderLink, renderLinks } from './links.js';
import { renderAudit, renderAudits, stopPolling } from './audits.js';
import { renderSmartLinks } from './smartlinks.js';

const signIn = document.getElementById('sign-in');
const app = document.getElementById('app');
const view = document.getElementById('view');
const who = document.getElementById('who');

function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  const [name, id] = [hash.split('/')[0], hash.split('/').slice(1).join('/')];
  if (name === 'link' && id) return { tab: 'links', render: () => renderLink(view, id) };
  if (name === 'audits') return { tab: 'audits', render: () => renderAudits(view) };
  if (name === 'audit' && id) return { tab: 'audits', render: () => renderAudit(view, id) };
  if (name === 'smartlinks') return { tab: 'smartlinks', render: () => renderSmartLinks(view) };
  return { tab: 'links', render: () => renderLinks(view) };
}

async function show({ focus }) {
  if (!hasKey()) return;
  stopPolling();
  clearError();
  const { tab, render } = route();
  for (const link of document.querySelectorAll('#tabs a')) {
    if (link.dataset.tab === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  await render();
  // After a navigation, keyboard and screen reader users start at the new view's heading.
  const title = document.getElementById('view-title');
  if (focus && title) title.focus();
}

async function enter() {
  const me = await api('GET', '/me');
  replace(who, 'Signed in as tenant ', h('strong', { text: me.tenant }), ` (key ${me.key_id})`);
  signIn.hidden = true;
  app.hidden = false;
  document.getElementById('sign-out').hidden = false;
  await show({ focus: true });
}

function leave(message) {
  forgetKey();
  stopPolling();
  app.hidden = true;
  signIn.hidden = false;
  document.getElementById('sign-out').hidden = true;
  replace(who);
  replace(view);
  if (message) showError(message);
  document.getElementById('api-key').focus();
}

document.getElementById('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearError();
  const input = document.getElementById('api-key');
  const key = input.value.trim();
  const problem = keyProblem(key);
  if (problem) {
    showError(problem);
    input.focus();
    return;
  }
  saveKey(key);
  input.value = '';
  try {
    await enter();
  } catch (error) {
    leave(error.status === 401 ? 'This API key is unknown or revoked: check it and try again.' : error.message);
  }
});

document.getElementById('sign-out').addEventListener('click', () => leave(''));

for (const id of ['confirm-yes', 'confirm-no']) {
  document.getElementById(id).addEventListener('click', () => {
    document.getElementById('confirm').close(id === 'confirm-yes' ? 'yes' : 'no');
  });
}

window.addEventListener('hashchange', () => show({ focus: true }));

// A key kept from earlier in this tab: straight to the dashboard.
if (hasKey()) {
  enter().catch((error) => leave(error.status === 401 ? 'This API key is no longer valid.' : error.message));
} else {
  document.getElementById('api-key').focus();
}
