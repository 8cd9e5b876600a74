// Building the DOM without HTML strings: text from a CSV or from Genesys is always a text
// node, never markup.

/**
 * `h('button', { class: 'primary', onclick: go }, 'Plan')`. Attributes starting with `on` are
 * listeners; `class`, `for`, `aria-*`, `data-*` and the rest are attributes; children are nodes
 * or strings (as text), and `null`/`false` children are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked' || name === 'disabled' || name === 'selected') {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** SVG elements, for the chart. */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value != null) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * A Spark button: the native `<button>` (which keeps the id, the label, `disabled` and the
 * keyboard) inside a `gux-button-slot` that gives it the look. `accent` is `primary`,
 * `secondary`, `danger`, `ghost` or `inline`.
 */
export function button(accent, attributes, ...children) {
  return h('gux-button-slot', { accent }, h('button', { type: 'button', ...attributes }, ...children));
}

/**
 * Show `message` in the error slot next to a control (or clear it with `null`). A slot inside a
 * Spark form field (`data-gux-slot="error"`) is handed to the field while it has a message, so
 * the field draws itself as invalid.
 */
export function showError(slot, message) {
  if (!slot) return;
  slot.textContent = message ?? '';
  slot.hidden = !message;
  if (slot.dataset.guxSlot) {
    if (message) slot.setAttribute('slot', slot.dataset.guxSlot);
    else slot.removeAttribute('slot');
  }
}

/** A short notice at the bottom of the window. */
export function toast(message, { kind = 'info', timeout = 5000 } = {}) {
  const region = document.getElementById('toasts');
  const note = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  region.append(note);
  setTimeout(() => note.remove(), timeout);
}

/**
 * Ask `question` in `dialog` (its `[data-question]` shows it, `[data-go]` and `[data-cancel]`
 * answer); true when the user chose to go on. Escape closes the dialog: that is a no.
 */
export function ask(dialog, question) {
  $('[data-question]', dialog).textContent = question;
  return new Promise((resolve) => {
    const listening = new AbortController();
    const { signal } = listening;
    const answer = (yes) => {
      listening.abort();
      if (dialog.open) dialog.close();
      resolve(yes);
    };
    $('[data-go]', dialog).addEventListener('click', () => answer(true), { signal });
    $('[data-cancel]', dialog).addEventListener('click', () => answer(false), { signal });
    dialog.addEventListener('close', () => answer(false), { signal });
    dialog.showModal();
  });
}
