// The links view: counts by state, filters, the list, adding links, and one link in detail
// (its latest check in plain words, its redirect chain, its history).

import { api, ApiError, path } from './api.js';
import {
  announce, badge, busy, confirmAction, definitions, h, replace, showError, urlText, when,
} from './dom.js';
import { reasonText, statusText } from './reasons.js';

const LINK_STATES = ['unchecked', 'ok', 'broken', 'restricted', 'down'];
const MAX_BATCH = 1000;
const PAGE_SIZE = 50;

const filters = { status: '', tag: '', platform: '', host: '' };
// Redraws the counts and the list of the links view on screen (set by renderLinks).
let reloadOverview = async () => {};

export async function renderLinks(view) {
  const overview = h('section', { 'aria-labelledby': 'overview-title' },
    h('h3', { id: 'overview-title', text: 'Links by state' }),
    h('p', { class: 'muted', text: 'Loading the counts…' }));
  const list = h('section', { 'aria-labelledby': 'list-title' });
  const filterForm = filtersForm(() => loadList(list, undefined, true));
  replace(view,
    h('h2', { id: 'view-title', tabindex: '-1', text: 'Links' }),
    overview,
    addForm(() => refresh()),
    h('section', { 'aria-labelledby': 'filters-title' },
      h('h3', { id: 'filters-title', text: 'Filter' }), filterForm),
    list);

  reloadOverview = () => loadOverview(overview, filterForm, () => loadList(list, undefined, true));
  async function refresh() {
    await Promise.all([reloadOverview(), loadList(list)]);
  }
  await refresh();
}

async function loadOverview(section, form, reload) {
  const title = section.querySelector('h3');
  let stats;
  try {
    stats = await api('GET', '/stats');
  } catch (error) {
    const text = error instanceof ApiError && error.status === 404
      ? 'Counts by state are not available from this API.'
      : `Counts could not be read: ${error.message}`;
    replace(section, title, h('p', { class: 'muted', text }));
    return;
  }
  const byState = stats.by_state || {};
  const items = LINK_STATES.map((state) => {
    const count = Number(byState[state] || 0);
    return h('li', {},
      h('button', {
        type: 'button',
        class: `count count-${state}`,
        'aria-pressed': String(filters.status === state),
        title: statusText(state),
        'data-state': state,
        onclick: () => {
          filters.status = filters.status === state ? '' : state;
          form.elements.status.value = filters.status;
          for (const button of section.querySelectorAll('button.count')) {
            button.setAttribute('aria-pressed', String(button.dataset.state === filters.status));
          }
          reload();
        },
      }, h('span', { class: 'count-number', text: String(count) }), ' ', h('span', { text: state })));
  });
  replace(section, title,
    h('p', {}, `${Number(stats.links || 0)} links. Choose a state to list only those links.`),
    h('ul', { class: 'counts' }, items));
}

function filtersForm(reload) {
  const status = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '', text: 'any state' }),
    LINK_STATES.map((state) => h('option', { value: state, text: state })));
  status.value = filters.status;
  const field = (name, label, hint) => h('div', { class: 'field' },
    h('label', { for: `filter-${name}`, text: label }),
    h('input', {
      id: `filter-${name}`, name, type: 'text', value: filters[name], autocomplete: 'off',
      spellcheck: 'false', placeholder: hint,
    }));
  const form = h('form', {
    class: 'filters',
    onsubmit: (event) => {
      event.preventDefault();
      for (const name of Object.keys(filters)) filters[name] = form.elements[name].value.trim();
      reload();
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'filter-status', text: 'State' }), status),
  field('tag', 'Tag', 'e.g. docs'),
  field('platform', 'Platform', 'e.g. youtube'),
  field('host', 'Host', 'e.g. example.com'),
  h('div', { class: 'actions' },
    h('button', { type: 'submit', text: 'Apply filters' }),
    h('button', {
      type: 'button',
      text: 'Clear',
      onclick: () => {
        for (const name of Object.keys(filters)) filters[name] = '';
        form.reset();
        status.value = '';
        reload();
      },
    })));
  return form;
}

async function loadList(section, cursor, say = false) {
  const title = h('h3', { id: 'list-title', text: 'Your links' });
  const refresh = h('button', { type: 'button', text: 'Refresh', onclick: () => busy(refresh, () => Promise.all([reloadOverview(), loadList(section, undefined, true)])) });
  let page;
  try {
    page = await api('GET', '/links', { query: { ...filters, limit: PAGE_SIZE, cursor } });
  } catch (error) {
    replace(section, title, refresh, h('p', { class: 'muted', text: `The links could not be read: ${error.message}` }));
    return;
  }
  const active = Object.entries(filters).filter(([, value]) => value);
  const summary = active.length
    ? `${page.links.length} links shown (${active.map(([name, value]) => `${name}: ${value}`).join(', ')}).`
    : `${page.links.length} links shown.`;
  const items = page.links.map((link) => linkCard(link, () => Promise.all([reloadOverview(), loadList(section)])));
  const more = page.cursor
    ? h('button', { type: 'button', text: 'Next page', onclick: () => loadList(section, page.cursor, true) })
    : null;
  replace(section, title, h('div', { class: 'toolbar' }, refresh, h('p', { text: summary })),
    items.length ? h('ul', { class: 'cards', 'aria-label': 'Links' }, items)
      : h('p', { class: 'muted', text: 'No links match.' }),
    more);
  // Announced when the user asked for the list, not after an action that says its own outcome.
  if (say) announce(`${summary} Updated ${new Date().toLocaleTimeString()}.`);
}

function linkCard(link, reload) {
  const result = link.last_result;
  return h('li', { class: 'card', 'data-link-id': link.id },
    h('h4', { class: 'card-title' }, urlText(link.url)),
    h('p', {}, badge(link.status), ' ', statusText(link.status),
      link.pending ? h('span', { class: 'pending' }, ` Awaiting confirmation: ${link.pending}.`) : null),
    result ? h('p', { class: 'reason' }, reasonText(result.reason)) : null,
    h('p', { class: 'muted' }, 'Last checked: ', when(link.last_checked_at),
      link.platform ? ` · platform ${link.platform}` : '',
      link.tags && link.tags.length ? ` · tags: ${link.tags.join(', ')}` : ''),
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: `#link/${encodeURIComponent(link.id)}` }, 'Details', h('span', { class: 'visually-hidden', text: ` of ${link.url}` })),
      checkButton(link, reload),
      deleteButton(link, reload)));
}

function checkButton(link, after) {
  const button = h('button', { type: 'button' }, 'Check now', h('span', { class: 'visually-hidden', text: ` ${link.url}` }));
  button.addEventListener('click', () => busy(button, async () => {
    announce(`Checking ${link.url}…`);
    const checked = await api('POST', `/links${path(link.id)}/check`);
    announce(`Checked ${link.url}: ${checked.result.status}. ${reasonText(checked.result.reason)}`
      + (checked.event ? ` The link is now ${checked.link.status}.` : ''));
    await after();
  }));
  return button;
}

function deleteButton(link, after) {
  const button = h('button', { type: 'button', class: 'danger' }, 'Delete', h('span', { class: 'visually-hidden', text: ` ${link.url}` }));
  button.addEventListener('click', async () => {
    const sure = await confirmAction(`Delete this link? It will no longer be checked: ${link.url}`, 'Delete the link');
    if (!sure) {
      announce('Nothing deleted.');
      return;
    }
    await busy(button, async () => {
      await api('DELETE', `/links${path(link.id)}`);
      announce(`Deleted ${link.url}.`);
      await after();
    });
  });
  return button;
}

function addForm(after) {
  const urls = h('textarea', {
    id: 'add-urls', name: 'urls', rows: '4', required: true, spellcheck: 'false',
    'aria-describedby': 'add-hint',
  });
  const tags = h('input', { id: 'add-tags', name: 'tags', type: 'text', autocomplete: 'off', 'aria-describedby': 'tags-hint' });
  const outcome = h('div', { class: 'outcome' });
  const submit = h('button', { type: 'submit', text: 'Add links' });
  const form = h('form', {
    onsubmit: (event) => {
      event.preventDefault();
      busy(submit, async () => {
        const lines = urls.value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
        if (!lines.length) {
          showError('Paste at least one URL, one per line.');
          return;
        }
        if (lines.length > MAX_BATCH) {
          showError(`At most ${MAX_BATCH} links at once; you pasted ${lines.length}.`);
          return;
        }
        const tagList = tags.value.split(',').map((tag) => tag.trim()).filter(Boolean);
        const links = lines.map((url) => (tagList.length ? { url, tags: tagList } : { url }));
        const answer = await api('POST', '/links/batch', { body: { links } });
        const text = `${answer.created} added, ${answer.existing} already registered, ${answer.error} refused.`;
        const refused = answer.results.filter((item) => item.status === 'error').map((item) =>
          h('li', {}, `Line ${item.index + 1} (${lines[item.index]}): ${item.error.message}`));
        replace(outcome, h('p', { text }), refused.length ? h('ul', { class: 'refused' }, refused) : null);
        announce(text);
        if (!answer.error) urls.value = '';
        await after();
      });
    },
  },
  h('div', { class: 'field' },
    h('label', { for: 'add-urls', text: 'URLs to watch' }),
    h('p', { id: 'add-hint', class: 'hint', text: 'One URL per line, up to 1000.' }),
    urls),
  h('div', { class: 'field' },
    h('label', { for: 'add-tags', text: 'Tags (optional)' }),
    h('p', { id: 'tags-hint', class: 'hint', text: 'Comma-separated, given to every link added.' }),
    tags),
  h('div', { class: 'actions' }, submit),
  outcome);
  return h('section', { 'aria-labelledby': 'add-title' }, h('h3', { id: 'add-title', text: 'Add links' }), form);
}

// ------------------------------------------------------------------- one link

export async function renderLink(view, id) {
  const heading = h('h2', { id: 'view-title', tabindex: '-1', text: 'Link' });
  replace(view, heading, h('p', { class: 'muted', text: 'Loading…' }));
  let link;
  try {
    link = await api('GET', `/links${path(id)}`);
  } catch (error) {
    replace(view, heading, h('p', { text: `This link could not be read: ${error.message}` }),
      h('a', { href: '#links', text: 'Back to the links' }));
    return;
  }
  const result = link.last_result;
  const history = h('section', { 'aria-labelledby': 'history-title' },
    h('h3', { id: 'history-title', text: 'History' }), h('p', { class: 'muted', text: 'Loading…' }));
  const reload = () => renderLink(view, id).then(() => document.getElementById('view-title').focus());
  replace(view,
    h('p', {}, h('a', { href: '#links', text: '← All links' })),
    heading,
    h('p', { class: 'card-title' }, urlText(link.url)),
    definitions([
      ['State', [badge(link.status), ' ', statusText(link.status)]],
      ['Awaiting confirmation', link.pending],
      ['Tags', link.tags && link.tags.length ? link.tags.join(', ') : null],
      ['Platform', link.platform],
      ['Host', link.host],
      ['Checked', `${link.checks} times`],
      ['Checks refused in a row', link.blocked_checks ? String(link.blocked_checks) : null],
      ['Next check', when(link.next_check_at)],
    ]),
    h('div', { class: 'actions' }, checkButton(link, reload),
      deleteButton(link, async () => { location.hash = '#links'; })),
    h('section', { 'aria-labelledby': 'last-title' },
      h('h3', { id: 'last-title', text: 'Last check' }),
      result ? verdict(result) : h('p', { text: 'Not checked yet.' })),
    history);
  loadHistory(history, id);
}

function verdict(result) {
  return h('div', {},
    h('p', {}, badge(result.status), ' ', h('strong', { text: reasonText(result.reason) })),
    definitions([
      ['Checked', when(result.checked_at)],
      ['Reason code', result.reason],
      ['Detail', result.detail],
      ['HTTP status', result.http_status === null ? null : String(result.http_status)],
      ['Final URL', result.final_url && result.final_url !== result.url ? urlText(result.final_url) : null],
    ]),
    redirectChain(result));
}

function redirectChain(result) {
  const hops = result.redirects || [];
  if (!hops.length) return h('p', { class: 'muted', text: 'No redirects.' });
  const steps = hops.map((hop) => h('li', {}, urlText(hop.url), ' ',
    h('span', { class: 'hop-status', text: hop.status ? `answered ${hop.status}` : 'unwrapped without a request' })));
  steps.push(h('li', {}, urlText(result.final_url || ''), ' ',
    h('span', { class: 'hop-status', text: result.http_status ? `answered ${result.http_status}` : 'final' })));
  return h('div', {}, h('h4', { text: `Redirect chain (${hops.length} ${hops.length === 1 ? 'redirect' : 'redirects'})` }),
    h('ol', { class: 'chain' }, steps));
}

async function loadHistory(section, id, cursor, list) {
  const title = section.querySelector('h3');
  let page;
  try {
    page = await api('GET', `/links${path(id)}/history`, { query: { limit: 50, cursor } });
  } catch (error) {
    replace(section, title, h('p', { text: `The history could not be read: ${error.message}` }));
    return;
  }
  const timeline = list || h('ol', { class: 'timeline', 'aria-label': 'Past results, newest first' });
  for (const entry of page.results) {
    timeline.append(h('li', {},
      when(entry.checked_at), ' ', badge(entry.status), ' ', reasonText(entry.reason),
      h('span', { class: 'muted' }, ` The link was ${entry.state} after it.`),
      entry.detail ? h('p', { class: 'detail', text: entry.detail }) : null));
  }
  const more = page.cursor
    ? h('button', {
      type: 'button',
      text: 'Older results',
      onclick: (event) => { event.currentTarget.remove(); loadHistory(section, id, page.cursor, timeline); },
    })
    : null;
  if (!list) {
    replace(section, title,
      page.results.length ? timeline : h('p', { class: 'muted', text: 'No results recorded yet.' }), more);
  } else if (more) section.append(more);
}
