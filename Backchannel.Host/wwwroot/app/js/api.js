// HTTP to the host: JSON in and out, the bearer token, and every refusal turned into an ApiError that carries the
// ProblemDetails (RFC 9457) as the server sent it, so screens show its title and the failing fields, never raw JSON.
import { session } from './session.js';

export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    super(problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem.code ?? null;
    this.retryAfter = retryAfter;
  }
}

export async function problemOf(response) {
  let problem = {};
  if ((response.headers.get('Content-Type') ?? '').includes('json')) {
    try { problem = await response.json(); } catch { problem = {}; }
  }
  return new ApiError(response.status, problem, response.headers.get('Retry-After'));
}

export async function api(method, path, body, { signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { title: 'The server cannot be reached', detail: 'Check the connection and try again.' });
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (response.status === 401 && session.token) session.signOut();
    throw error;
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = path => api('DELETE', path);

/** Query string from an object, leaving out empty values. */
export function query(values) {
  const entries = Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? `?${new URLSearchParams(entries)}` : '';
}

const fallbackTitles = {
  0: 'The server cannot be reached', 400: 'Some input is not valid', 401: 'You are signed out', 403: 'You may not do that',
  404: 'Not found', 409: 'That cannot be done now', 413: 'That is too large', 429: 'Too many at once', 503: 'The server is busy',
};

/**
 * What a person reads of an error: the title, then one line per failing field ("Message: must not be empty"),
 * the detail when it says more, and when to try again. `errors` may be a map of field to messages (today's shape)
 * or a list of { field | name | pointer, message | detail } (a unified shape), and `field` names one input at fault.
 */
export function describe(error, labelFor = name => name) {
  if (!(error instanceof ApiError)) return { title: 'Something went wrong', lines: [String(error?.message ?? error)], fields: [] };
  const problem = error.problem ?? {};
  const title = problem.title ?? fallbackTitles[error.status] ?? `The server answered ${error.status}`;
  const lines = [], fields = [];
  const add = (name, message) => {
    const key = String(name ?? '').replace(/^\/+/, '').replace(/\[\d+\]$/, '').replace(/\/\d+$/, '');
    if (key) fields.push(key);
    lines.push(key ? `${labelFor(key)}: ${message}` : message);
  };
  if (Array.isArray(problem.errors)) {
    for (const e of problem.errors) add(e.field ?? e.name ?? e.pointer, e.message ?? e.detail ?? e.title ?? '');
  } else if (problem.errors && typeof problem.errors === 'object') {
    for (const [name, messages] of Object.entries(problem.errors)) for (const m of [messages].flat()) add(name, m);
  }
  if (!lines.length && problem.field) add(problem.field, problem.detail ?? 'this one');
  else if (problem.detail && problem.detail !== title) lines.push(problem.detail);
  if (error.retryAfter) lines.push(`Try again in ${error.retryAfter} seconds.`);
  return { title, lines, fields };
}

/** The items of a list answer: a plain array, or a page `{ items, next }` (`next` goes back as `?after=`). */
export function itemsOf(answer) {
  if (Array.isArray(answer)) return { items: answer, next: null };
  return { items: answer?.items ?? [], next: answer?.next ?? null };
}
