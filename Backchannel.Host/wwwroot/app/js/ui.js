// Small DOM helpers shared by the screens: element building, announcements, errors as a person reads them, busy
// buttons and forms, and re-rendering a region without losing the keyboard focus.
import { describe } from './api.js';

/** Builds an element: h('button', { type: 'button', onclick }, 'Accept'). Children may be strings, nodes or arrays. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false)
    .map(c => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return el;
}

let fields = 0;

/**
 * A labelled field: the label names its control by id (not by wrapping it, which would add a select's chosen
 * option or a field's value to the name), so the control's accessible name is exactly the label's text.
 */
export function field(label, control) {
  if (!control.id) control.id = `field-${++fields}`;
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

export function checkbox(label, props = {}) {
  return h('label', { class: 'check' }, h('input', { type: 'checkbox', ...props }), label);
}

const announcer = () => document.getElementById('announcer');

/** Says something through the polite live region (new messages, new requests, what an action did). */
export function announce(text) {
  const region = announcer();
  if (!region) return;
  region.append(h('p', {}, text));
  while (region.childElementCount > 5) region.firstElementChild.remove();
}

/** Renders an error in a slot (a role="alert" element): the ProblemDetails title and each failing field. */
export function showError(error, slot = document.getElementById('errors'), form = null) {
  const { title, lines, fields } = describe(error, name => labelOf(form, name));
  slot.replaceChildren(h('div', { class: 'problem' }, h('p', {}, title), lines.length ? h('ul', {}, lines.map(l => h('li', {}, l))) : null));
  if (form) for (const name of fields) {
    const control = form.elements.namedItem(name);
    if (control?.setAttribute) control.setAttribute('aria-invalid', 'true');
  }
}

export function clearError(slot = document.getElementById('errors'), form = null) {
  slot.replaceChildren();
  form?.querySelectorAll('[aria-invalid]').forEach(c => c.removeAttribute('aria-invalid'));
}

function labelOf(form, name) {
  const control = form?.elements?.namedItem(name);
  return control?.labels?.[0]?.textContent?.trim() || name;
}

/**
 * A form whose submit runs an async action: Enter submits (textareas too, Shift+Enter for a new line), the submit
 * button is disabled meanwhile, a refusal is shown in the form's own alert, and success clears it.
 */
export function actionForm(props, children, action, { reset = true } = {}) {
  const alert = h('div', { class: 'alert', role: 'alert' });
  const form = h('form', { ...props, novalidate: true }, children, alert);
  form.addEventListener('keydown', event => {
    if (event.key === 'Enter' && !event.shiftKey && event.target.tagName === 'TEXTAREA' && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const submit = form.querySelector('[type="submit"]');
    if (submit?.disabled) return;
    if (submit) submit.disabled = true;
    try {
      await action(Object.fromEntries(new FormData(form)), form);
      clearError(alert, form);
      if (reset) form.reset();
    } catch (error) {
      if (error?.name !== 'AbortError') showError(error, alert, form);
    } finally {
      if (submit) submit.disabled = false;
    }
  });
  return form;
}

/** A button running an async action; a refusal goes to the page's alert. */
export function actionButton(text, action, props = {}) {
  const button = h('button', { type: 'button', ...props }, text);
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      clearError();
      await action();
    } catch (error) {
      if (error?.name !== 'AbortError') showError(error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/**
 * Replaces a region's content, putting the focus back on the element with the same data-key (and a typed draft
 * back in its field), so that a live update never throws a keyboard user out of where they were.
 */
export function replace(container, ...children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset?.key : null;
  const draft = key && typeof active.value === 'string' ? active.value : null;
  container.replaceChildren(...children.flat(Infinity).filter(Boolean));
  if (!key) return;
  const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (!again) return;
  if (draft !== null && 'value' in again && again.value === '') again.value = draft;
  again.focus();
}

/** Runs fn at most once per tick of `ms`, the last call winning: many push items, one reload. */
export function debounce(fn, ms = 80) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function time(iso) {
  if (!iso) return null;
  const at = new Date(iso);
  return h('time', { datetime: iso }, at.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' }));
}

export function heading(text) {
  return h('h1', { tabindex: '-1' }, text);
}

/** A list of people for reading aloud: "ayu, budi and cici". */
export function people(list) {
  if (!list?.length) return '';
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}
