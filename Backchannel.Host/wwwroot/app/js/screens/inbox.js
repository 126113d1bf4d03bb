// The inbox: accepted conversations by last activity, live; and starting a conversation (a request to strangers).
import { get, post, itemsOf } from '../api.js';
import { h, field, actionForm, heading, replace, debounce, showError, time, people } from '../ui.js';

export function conversationName(item, me) {
  if (item.title) return item.title;
  if (item.kind === 'stage') return `Stage: ${item.room?.title ?? 'room'}`;
  if (item.kind === 'planning') return `Planning: ${item.event?.title ?? 'event'}`;
  return people((item.members ?? []).filter(m => m !== me)) || 'Just you';
}

export function mount(main, _params, ctx) {
  const list = h('ul', { class: 'cards', 'aria-label': 'Conversations' });
  const status = h('p', { class: 'meta' });

  const compose = actionForm({ class: 'stack', 'aria-labelledby': 'new-conversation' }, [
    h('h2', { id: 'new-conversation' }, 'New conversation'),
    field('To (handles, separated by commas)', h('input', { name: 'to', autocomplete: 'off', autocapitalize: 'none' })),
    field('Message', h('textarea', { name: 'text', rows: 2 })),
    h('button', { type: 'submit' }, 'Send'),
  ], async ({ to, text }) => {
    const recipients = to.split(/[\s,]+/).map(s => s.trim()).filter(Boolean);
    const created = await post('/conversations', { to: recipients, text, roomId: null });
    ctx.navigate(`/app/c/${created.conversationId}`);
  });

  const load = debounce(async () => {
    try {
      const { items } = itemsOf(await get('/inbox'));
      status.textContent = items.length ? '' : 'No conversations yet.';
      replace(list, items.map(item => row(item, ctx.user)));
    } catch (error) {
      showError(error);
    }
  });

  main.append(heading('Inbox'), h('section', { 'aria-label': 'Conversations' }, status, list), compose);
  load();
  const subscriptions = ['conversation', 'message_sent', 'message_edited', 'message_deleted', 'messages_read', 'thanks_sent', 'ready', 'resumed', 'reload']
    .map(type => ctx.push?.on(type, load));
  return () => subscriptions.forEach(off => off?.());
}

function row(item, me) {
  const last = item.lastMessage;
  const preview = !last ? 'No messages yet' : last.deleted ? `${last.author}: message deleted` : `${last.author}: ${last.text ?? ''}`;
  return h('li', {},
    h('a', { href: `/app/c/${encodeURIComponent(item.conversationId)}`, 'data-key': `c:${item.conversationId}` }, conversationName(item, me)),
    h('p', { class: 'meta' }, preview, ' · ', time(item.lastActivityAt)),
    item.unreadCount ? h('p', { class: 'unread' }, `${item.unreadCount} unread`) : null,
    item.muted ? h('span', { class: 'pill' }, 'muted') : null,
    item.room ? h('p', { class: 'meta' }, 'Room: ', h('a', { href: `/app/rooms/${encodeURIComponent(item.room.roomId)}` }, item.room.title), item.room.ended ? ' (ended)' : '') : null,
    item.blockedMembers?.length ? h('p', { class: 'meta' }, `You blocked ${people(item.blockedMembers)}`) : null,
  );
}
