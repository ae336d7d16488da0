// Building the page safely: every value goes in as text (textContent, text nodes, attributes
// set one by one). Nothing here, or anywhere in the dashboard, parses a string as HTML:
// a link's URL, a tag or a page's detail is whatever a stranger's server chose.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = String(value);
    else if (typeof value === 'function' && name.startsWith('on')) {
      element.addEventListener(name.slice(2), value);
    } else if (typeof value === 'function') {
      throw new TypeError(`not an event handler: ${name}`);
    } else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// Status messages for assistive technology (an aria-live region), also shown on screen.
export function announce(message) {
  const region = document.getElementById('status');
  region.textContent = '';
  // A fresh text node, a tick later: screen readers announce a repeated message too.
  setTimeout(() => { region.textContent = message; }, 30);
}

export function showError(message) {
  const region = document.getElementById('error');
  region.textContent = message;
  region.hidden = !message;
}

export function clearError() {
  showError('');
}

export function when(iso) {
  if (!iso) return h('span', { text: 'never' });
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h('span', { text: iso });
  return h('time', { datetime: iso, title: iso }, `${date.toLocaleString()} (${ago(date)})`);
}

function ago(date) {
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  const future = seconds < 0;
  const value = Math.abs(seconds);
  let text;
  if (value < 60) text = `${value} s`;
  else if (value < 3600) text = `${Math.round(value / 60)} min`;
  else if (value < 86400) text = `${Math.round(value / 3600)} h`;
  else text = `${Math.round(value / 86400)} days`;
  return future ? `in ${text}` : `${text} ago`;
}

// A URL shown as text; a link to it only for http(s), which open apart from this page.
export function urlText(url) {
  let safe = false;
  try {
    safe = ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    safe = false;
  }
  if (!safe) return h('span', { class: 'url' }, url);
  return h('a', { class: 'url', href: url, target: '_blank', rel: 'noopener noreferrer' }, url);
}

export function badge(status) {
  return h('span', { class: `badge badge-${/^[a-z_]+$/.test(status || '') ? status : 'unknown'}` },
    status || 'not checked');
}

export function definitions(pairs) {
  const list = h('dl', { class: 'facts' });
  for (const [term, value] of pairs) {
    if (value === undefined || value === null || value === '') continue;
    list.append(h('dt', { text: term }), h('dd', {}, value));
  }
  return list;
}

// A confirmation in a modal <dialog>: focus starts on "Cancel", Escape cancels, and focus
// returns to what had it.
export function confirmAction(question, confirmLabel) {
  const dialog = document.getElementById('confirm');
  const opener = document.activeElement;
  replace(document.getElementById('confirm-text'), question);
  const yes = document.getElementById('confirm-yes');
  yes.textContent = confirmLabel;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (opener && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === 'yes');
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    document.getElementById('confirm-no').focus();
  });
}

// Runs an action with its button marked busy, reporting failures in the error region. The
// button is not disabled: a disabled button loses keyboard focus.
export async function busy(button, action) {
  if (button) {
    if (button.getAttribute('aria-disabled') === 'true') return undefined;
    button.setAttribute('aria-disabled', 'true');
  }
  clearError();
  try {
    return await action();
  } catch (error) {
    showError(error.message || String(error));
    return undefined;
  } finally {
    if (button) button.removeAttribute('aria-disabled');
  }
}
