// The audits view: start an audit, list them, and watch one (progress, then what is broken
// and where it was found).

import { api, path } from './api.js';
import {
  announce, badge, busy, confirmAction, definitions, h, replace, urlText, when,
} from './dom.js';
import { reasonText } from './reasons.js';

const POLL_MS = 2000;
const RESULT_STATUSES = ['broken', 'restricted', 'error', 'blocked', 'invalid', 'ok'];
let poll = null;

export function stopPolling() {
  if (poll) clearTimeout(poll);
  poll = null;
}

export async function renderAudits(view) {
  const list = h('section', { 'aria-labelledby': 'audits-title' },
    h('h3', { id: 'audits-title', text: 'Your audits' }), h('p', { class: 'muted', text: 'Loading…' }));
  replace(view, h('h2', { id: 'view-title', tabindex: '-1', text: 'Audits' }), startForm(), list);
  await loadAudits(list);
}

function startForm() {
  const url = h('input', { id: 'audit-url', name: 'url', type: 'url', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'https://example.com/' });
  const mode = h('select', { id: 'audit-mode', name: 'mode', 'aria-describedby': 'mode-hint' },
    h('option', { value: 'page', text: 'page: the links of this page' }),
    h('option', { value: 'bio', text: 'bio: a link-in-bio page or profile' }),
    h('option', { value: 'site', text: 'site: every page of the site' }));
  const pages = h('input', { id: 'audit-pages', name: 'max_pages', type: 'number', min: '1', max: '10000', inputmode: 'numeric', 'aria-describedby': 'pages-hint' });
  const submit = h('button', { type: 'submit', text: 'Start the audit' });
  const form = h('form', {
    onsubmit: (event) => {
      event.preventDefault();
      busy(submit, async () => {
        const body = { url: url.value.trim(), mode: mode.value };
        if (mode.value === 'site' && pages.value) body.max_pages = Number(pages.value);
        const audit = await api('POST', '/audits', { body });
        announce(`Audit started for ${audit.url}.`);
        location.hash = `#audit/${encodeURIComponent(audit.id)}`;
      });
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'audit-url', text: 'Page or site to audit' }), url),
  h('div', { class: 'field' }, h('label', { for: 'audit-mode', text: 'What to check' }),
    h('p', { id: 'mode-hint', class: 'hint', text: 'A site audit follows the links within the same site.' }), mode),
  h('div', { class: 'field' }, h('label', { for: 'audit-pages', text: 'Most pages to read (site only, optional)' }),
    h('p', { id: 'pages-hint', class: 'hint', text: 'Default 500.' }), pages),
  h('div', { class: 'actions' }, submit));
  return h('section', { 'aria-labelledby': 'start-title' }, h('h3', { id: 'start-title', text: 'Start an audit' }), form);
}

async function loadAudits(section, cursor) {
  const title = section.querySelector('h3');
  let page;
  try {
    page = await api('GET', '/audits', { query: { limit: 20, cursor } });
  } catch (error) {
    replace(section, title, h('p', { text: `The audits could not be read: ${error.message}` }));
    return;
  }
  const items = page.audits.map((audit) => h('li', { class: 'card' },
    h('h4', { class: 'card-title' }, urlText(audit.url)),
    h('p', {}, `${audit.mode} audit, ${audit.state}. `, countsText(audit.counts)),
    h('p', { class: 'muted' }, 'Started ', when(audit.created_at)),
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: `#audit/${encodeURIComponent(audit.id)}` }, 'Open', h('span', { class: 'visually-hidden', text: ` the audit of ${audit.url}` })))));
  const more = page.cursor
    ? h('button', { type: 'button', text: 'Older audits', onclick: () => loadAudits(section, page.cursor) })
    : null;
  replace(section, title,
    items.length ? h('ul', { class: 'cards', 'aria-label': 'Audits' }, items) : h('p', { class: 'muted', text: 'No audits yet.' }),
    more);
}

function countsText(counts) {
  const parts = RESULT_STATUSES.filter((status) => counts && counts[status]).map((status) => `${counts[status]} ${status}`);
  return parts.length ? parts.join(', ') + '.' : 'Nothing checked yet.';
}

export async function renderAudit(view, id) {
  stopPolling();
  const heading = h('h2', { id: 'view-title', tabindex: '-1', text: 'Audit' });
  const summary = h('div', { class: 'audit-summary' }, h('p', { class: 'muted', text: 'Loading…' }));
  const cancel = h('button', { type: 'button', class: 'danger', text: 'Cancel the audit', hidden: true });
  const results = h('section', { 'aria-labelledby': 'results-title' }, h('h3', { id: 'results-title', text: 'Results' }));
  const filter = h('select', { id: 'audit-filter', name: 'status' },
    RESULT_STATUSES.map((status) => h('option', { value: status, text: status })));
  filter.addEventListener('change', () => loadResults(results, id, filter.value));
  replace(view, h('p', {}, h('a', { href: '#audits', text: '← All audits' })), heading, summary,
    h('div', { class: 'actions' }, cancel),
    h('div', { class: 'field inline' }, h('label', { for: 'audit-filter', text: 'Show links that are' }), filter),
    results);
  let audit = null;
  let seen = null;
  cancel.addEventListener('click', async () => {
    if (!(await confirmAction(`Cancel the audit of ${audit.url}? Its results so far stay readable.`, 'Cancel the audit'))) return;
    await busy(cancel, async () => {
      await api('DELETE', `/audits${path(id)}`);
      announce('Audit cancelled.');
      stopPolling();
      await update();
    });
  });
  // Polls while the audit runs; parts are redrawn only when something changed, so keyboard
  // focus stays where it is.
  const update = async () => {
    const previous = audit;
    try {
      audit = await api('GET', `/audits${path(id)}`);
    } catch (error) {
      replace(summary, h('p', { text: `This audit could not be read: ${error.message}` }));
      return;
    }
    if (!view.contains(summary)) return; // the user went elsewhere meanwhile
    const now = JSON.stringify([audit.state, audit.counts, audit.progress]);
    if (now !== seen) {
      seen = now;
      replace(summary, auditSummary(audit));
      await loadResults(results, id, filter.value);
    }
    cancel.hidden = audit.state !== 'running';
    if (previous && previous.state === 'running' && audit.state !== 'running') {
      announce(`The audit is ${audit.state}: ${countsText(audit.counts)}`);
    }
    if (audit.state === 'running') poll = setTimeout(update, POLL_MS);
  };
  await update();
}

function auditSummary(audit) {
  const progress = audit.progress || {};
  const found = Number(progress.links_found || 0) + Number(progress.pages_found || 0);
  const done = Math.max(found - Number(progress.pending || 0), 0);
  return h('div', {},
    h('p', { class: 'card-title' }, urlText(audit.url)),
    h('p', {}, h('label', { for: 'audit-progress', text: `${audit.state === 'running' ? 'Checking' : 'Checked'}: ${done} of ${found} URLs ` }),
      h('progress', { id: 'audit-progress', max: String(Math.max(found, 1)), value: String(done) })),
    definitions([
      ['State', audit.state],
      ['Mode', audit.mode],
      ['Found so far', countsText(audit.counts)],
      ['Pages read', `${progress.pages_read || 0} of ${progress.pages_found || 0}`],
      ['Limits met', audit.truncated ? 'yes: some pages or links were left out' : null],
      ['Started', when(audit.created_at)],
      ['Completed', audit.completed_at ? when(audit.completed_at) : null],
    ]));
}

async function loadResults(section, id, status, cursor, list) {
  const title = section.querySelector('h3');
  let page;
  try {
    page = await api('GET', `/audits${path(id)}/links`, { query: { status, limit: 50, cursor } });
  } catch (error) {
    replace(section, title, h('p', { text: `The results could not be read: ${error.message}` }));
    return;
  }
  const ul = list || h('ul', { class: 'cards', 'aria-label': `${status} links` });
  for (const entry of page.links) {
    ul.append(h('li', { class: 'card' },
      h('h4', { class: 'card-title' }, urlText(entry.url)),
      h('p', {}, badge(entry.status), ' ', entry.reason ? reasonText(entry.reason) : 'Not checked yet.'),
      entry.detail ? h('p', { class: 'detail', text: entry.detail }) : null,
      entry.found_in && entry.found_in.length
        ? h('div', {}, h('p', { text: 'Found on:' }), h('ul', { class: 'found-in' }, entry.found_in.map((page_) => h('li', {}, urlText(page_)))))
        : null));
  }
  const more = page.cursor
    ? h('button', {
      type: 'button',
      text: 'More results',
      onclick: (event) => { event.currentTarget.remove(); loadResults(section, id, status, page.cursor, ul); },
    })
    : null;
  if (!list) {
    replace(section, title, ul.children.length ? ul : h('p', { class: 'muted', text: `No ${status} links.` }), more);
  } else if (more) section.append(more);
}
