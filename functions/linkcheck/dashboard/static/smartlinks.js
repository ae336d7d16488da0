// The smart links view: each redirect, where it sends visitors now, and its clicks.

import { api, ApiError, path } from './api.js';
import { announce, busy, confirmAction, definitions, h, replace, urlText } from './dom.js';

export async function renderSmartLinks(view) {
  const list = h('section', { 'aria-labelledby': 'smart-title' },
    h('h3', { id: 'smart-title', text: 'Your smart links' }), h('p', { class: 'muted', text: 'Loading…' }));
  replace(view, h('h2', { id: 'view-title', tabindex: '-1', text: 'Smart links' }),
    h('p', { text: 'A smart link redirects visitors to its target while the target is fine, and to its fallback when the target is broken.' }),
    createForm(() => loadSmartLinks(list)), list);
  await loadSmartLinks(list);
}

function createForm(after) {
  const field = (name, label, type, required, hint) => h('div', { class: 'field' },
    h('label', { for: `smart-${name}`, text: label }),
    hint ? h('p', { id: `smart-${name}-hint`, class: 'hint', text: hint }) : null,
    h('input', {
      id: `smart-${name}`, name, type, required, autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': hint ? `smart-${name}-hint` : null,
    }));
  const submit = h('button', { type: 'submit', text: 'Create the smart link' });
  const form = h('form', {
    onsubmit: (event) => {
      event.preventDefault();
      busy(submit, async () => {
        const body = {
          target_url: form.elements.target_url.value.trim(),
          fallback_url: form.elements.fallback_url.value.trim(),
        };
        const slug = form.elements.slug.value.trim();
        if (slug) body.slug = slug;
        const created = await api('POST', '/smartlinks', { body });
        announce(`Smart link created: ${created.redirect_url}`);
        form.reset();
        await after();
      });
    },
  },
  field('target_url', 'Target URL', 'url', true),
  field('fallback_url', 'Fallback URL', 'url', true, 'Where visitors go while the target is broken.'),
  field('slug', 'Slug (optional)', 'text', false, 'The last part of the short URL; one is made up when empty.'),
  h('div', { class: 'actions' }, submit));
  return h('section', { 'aria-labelledby': 'smart-new-title' },
    h('h3', { id: 'smart-new-title', text: 'New smart link' }), form);
}

async function loadSmartLinks(section, cursor) {
  const title = section.querySelector('h3');
  let page;
  try {
    page = await api('GET', '/smartlinks', { query: { limit: 50, cursor } });
  } catch (error) {
    const text = error instanceof ApiError && error.status === 404
      ? 'Smart links are not available from this API.'
      : `The smart links could not be read: ${error.message}`;
    replace(section, title, h('p', { class: 'muted', text }));
    return;
  }
  const items = (page.smartlinks || page.items || []).map((smart) => h('li', { class: 'card' },
    h('h4', { class: 'card-title', text: smart.slug }),
    definitions([
      ['Short URL', urlText(smart.redirect_url)],
      ['Sends visitors to', smart.serving === 'fallback' ? 'the fallback (the target is broken)' : 'the target'],
      ['Target', urlText(smart.target_url)],
      ['Fallback', urlText(smart.fallback_url)],
      ['Clicks today', String(smart.clicks_today ?? 0)],
      ['Clicks in all', String(smart.clicks_total ?? 0)],
    ]),
    h('div', { class: 'actions' }, deleteButton(smart, () => loadSmartLinks(section)))));
  const more = page.cursor
    ? h('button', { type: 'button', text: 'Next page', onclick: () => loadSmartLinks(section, page.cursor) })
    : null;
  replace(section, title,
    items.length ? h('ul', { class: 'cards', 'aria-label': 'Smart links' }, items)
      : h('p', { class: 'muted', text: 'No smart links yet.' }),
    more);
}

function deleteButton(smart, after) {
  const button = h('button', { type: 'button', class: 'danger' }, 'Delete',
    h('span', { class: 'visually-hidden', text: ` the smart link ${smart.slug}` }));
  button.addEventListener('click', async () => {
    if (!(await confirmAction(`Delete the smart link ${smart.slug}? Its short URL stops working.`, 'Delete the smart link'))) {
      announce('Nothing deleted.');
      return;
    }
    await busy(button, async () => {
      await api('DELETE', `/smartlinks${path(smart.slug)}`);
      announce(`Deleted the smart link ${smart.slug}.`);
      await after();
    });
  });
  return button;
}
