// The shell: sign-in gate, navigation between screens (client routes under /app, History API), the push stream and
// what it announces to everyone (new requests, new messages), and the request count in the navigation.
import { session } from './session.js';
import { get } from './api.js';
import { PushStream } from './push.js';
import { h, announce, actionButton, clearError, debounce } from './ui.js';
import * as signin from './screens/signin.js';
import * as inbox from './screens/inbox.js';
import * as requests from './screens/requests.js';
import * as thread from './screens/thread.js';
import * as rooms from './screens/rooms.js';
import * as room from './screens/room.js';
import * as audit from './screens/audit.js';
import * as reports from './screens/reports.js';

const routes = [
  [/^$/, inbox], [/^requests$/, requests], [/^c\/([^/]+)$/, thread], [/^rooms$/, rooms], [/^rooms\/([^/]+)$/, room],
  [/^audit$/, audit], [/^reports$/, reports],
];

const main = document.getElementById('main');
const connectionLabels = {
  connecting: 'Connecting to live updates…', live: 'Live', reconnecting: 'Reconnecting to live updates…',
  offline: 'Offline: live updates resume when the network is back', idle: '',
};
let push = null, unmount = null;

export function navigate(path, { replace = false } = {}) {
  const url = new URL(path, location.origin);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render({ focus: true });
}

const context = { navigate, get push() { return push; }, get user() { return session.user; }, get isOperator() { return session.isOperator; } };

function routeOf(pathname) {
  const rest = decodeURIComponent(pathname.replace(/^\/app\/?/, '').replace(/\/$/, ''));
  for (const [pattern, screen] of routes) {
    const match = pattern.exec(rest);
    if (match) return { screen, params: match.slice(1) };
  }
  return null;
}

function render({ focus = false } = {}) {
  unmount?.();
  unmount = null;
  clearError();
  main.replaceChildren();
  if (!session.token) {
    unmount = signin.mount(main, [], context);
  } else {
    const route = routeOf(location.pathname);
    if (!route) {
      main.append(h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, h('a', { href: '/app/' }, 'Go to the inbox')));
    } else {
      unmount = route.screen.mount(main, route.params, context) ?? null;
    }
  }
  markCurrentLink();
  const title = main.querySelector('h1');
  document.title = title ? `${title.textContent} · Backchannel` : 'Backchannel';
  // Moving the focus to the new screen's heading tells a screen reader the page changed, and starts the Tab order there.
  if (focus) (title ?? main).focus({ preventScroll: true });
}

function markCurrentLink() {
  for (const link of document.querySelectorAll('#nav a')) {
    const here = new URL(link.href).pathname.replace(/\/$/, '') === location.pathname.replace(/\/$/, '');
    if (here) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function renderSession() {
  const nav = document.getElementById('nav');
  const box = document.getElementById('session');
  nav.hidden = !session.token;
  for (const item of nav.querySelectorAll('[data-operator]')) item.hidden = !session.isOperator;
  box.replaceChildren(...(session.token
    ? [h('span', {}, `Signed in as ${session.user}${session.isOperator ? ' (operator)' : ''}`), actionButton('Sign out', async () => session.signOut())]
    : []));
}

const refreshRequestCount = debounce(async () => {
  if (!session.token) return;
  try {
    const answer = await get('/inbox/requests');
    const count = (Array.isArray(answer) ? answer : answer?.items ?? []).length;
    document.getElementById('request-count').textContent = count ? String(count) : '';
    document.querySelector('#nav a[href="/app/requests"]').setAttribute('aria-label', count ? `Requests, ${count} waiting` : 'Requests');
  } catch { /* the count is a hint; the requests screen shows the error */ }
}, 150);

function startPush() {
  push?.stop();
  push = null;
  const status = document.getElementById('connection');
  status.textContent = '';
  if (!session.token) return;
  push = new PushStream(session.token);
  push.on('status', state => { status.dataset.state = state; status.textContent = connectionLabels[state] ?? ''; });
  push.on('unauthorized', () => session.signOut());
  push.on('conversation', item => {
    if (item.box === 'requests' && item.createdBy !== session.user) announce(`New message request from ${item.createdBy}`);
    refreshRequestCount();
  });
  push.on('message_sent', item => {
    const reading = location.pathname === `/app/c/${item.conversationId}`;
    if (item.author !== session.user && !reading) announce(`New message from ${item.author}`);
  });
  for (const type of ['ready', 'resumed', 'reload', 'thanks_sent']) push.on(type, refreshRequestCount);
  push.start();
}

document.addEventListener('click', event => {
  const link = event.target.closest?.('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/app')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
addEventListener('popstate', () => render({ focus: true }));

session.onChange(() => {
  renderSession();
  startPush();
  refreshRequestCount();
  render({ focus: true });
});

renderSession();
startPush();
refreshRequestCount();
render();
