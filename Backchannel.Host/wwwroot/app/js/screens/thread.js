// A thread: messages oldest first with edits, tombstones, replies, reactions and read markers; compose; live from
// the push stream. Messages are kept by id, so an item seen twice (a resumed stream, a reload after it) changes
// nothing; a gap in the sequence, a resumed stream or a reload refetches the newest page and merges it by id.
import { get, post, put, del, query } from '../api.js';
import { h, field, actionForm, actionButton, heading, replace, debounce, showError, announce, time, people } from '../ui.js';
import { conversationName } from './inbox.js';

const QUICK_REACTIONS = ['👍', '❤️', '🔥', '😂'];

export function mount(main, [conversationId], ctx) {
  return mountThread(main, conversationId, ctx);
}

/** Mounts a thread into a container: a screen of its own, or embedded (the stage backchannel of a room). */
export function mountThread(container, conversationId, ctx, { embedded = false, title = null } = {}) {
  const id = encodeURIComponent(conversationId);
  const me = ctx.user;
  const messages = new Map();
  let thread = null, nextBefore = null, replyTo = null, editing = null, readSent = null;

  const header = embedded ? h('h2', {}, title ?? 'Backchannel') : heading('Conversation');
  const about = h('div', {});
  const list = h('ol', { class: 'cards messages', 'aria-label': embedded ? `${title ?? 'Backchannel'} messages` : 'Messages' });
  const older = h('div', {});
  const replying = h('div', {});

  const textarea = h('textarea', { name: 'text', rows: 2, 'data-key': 'compose' });
  const compose = actionForm({ class: 'stack compose', 'aria-label': embedded ? `Write to ${title ?? 'the backchannel'}` : 'Write a message' }, [
    replying,
    field(embedded ? `Message to ${title ?? 'the backchannel'}` : 'Message', textarea),
    h('button', { type: 'submit' }, 'Send'),
  ], async ({ text }) => {
    const messageId = crypto.randomUUID();
    const body = { text, replyTo: replyTo?.id ?? null, messageId };
    await post(`/conversations/${id}/messages`, body);
    upsert({ id: messageId, author: me, text, replyTo: body.replyTo, sentAt: new Date().toISOString(), sequence: null, reactions: [], edits: 0, deleted: false });
    replyTo = null;
    draw();
    textarea.focus();
  });

  const sorted = () => [...messages.values()].sort((a, b) =>
    (a.sequence ?? Infinity) - (b.sequence ?? Infinity) || String(a.sentAt).localeCompare(String(b.sentAt)));
  const highest = () => Math.max(0, ...[...messages.values()].map(m => m.sequence ?? 0));

  function upsert(message) {
    const known = messages.get(message.id);
    messages.set(message.id, known ? { ...known, ...message, sequence: message.sequence ?? known.sequence } : message);
  }

  async function load(before = null) {
    try {
      const page = await get(`/conversations/${id}${query({ before, limit: 50 })}`);
      thread = page;
      if (!before || nextBefore === null) nextBefore = page.nextBefore;
      if (before) nextBefore = page.nextBefore;
      for (const m of page.messages) upsert(m);
      draw();
      markRead();
    } catch (error) {
      showError(error);
    }
  }
  const reload = debounce(() => load(), 60);

  function markRead() {
    const last = sorted().filter(m => m.sequence !== null).at(-1);
    if (!last || last.author === me || thread?.yourStatus !== 'active' || readSent === last.id) return;
    if (thread.members?.find(m => m.userId === me)?.readUpToMessageId === last.id) return;
    readSent = last.id;
    post(`/conversations/${id}/read`, { upToMessageId: last.id }).catch(() => { readSent = null; });
  }

  function draw() {
    if (!thread) return;
    const others = (thread.members ?? []).filter(m => m.userId !== me);
    if (!embedded) {
      header.textContent = thread.title ?? `Conversation with ${people(others.map(m => m.userId)) || 'nobody yet'}`;
      document.title = `${header.textContent} · Backchannel`;
    }
    replace(about,
      h('p', { class: 'meta' }, 'Members: ', (thread.members ?? []).map((m, i) => [i ? ', ' : '', m.userId === me ? 'you' : m.userId, m.status !== 'active' ? ` (${m.status})` : ''])),
      thread.room && !embedded ? h('p', { class: 'meta' }, 'Room: ', h('a', { href: `/app/rooms/${encodeURIComponent(thread.room.roomId)}` }, thread.room.title)) : null,
      thread.blockedMembers?.length ? h('p', { class: 'meta' }, `You blocked ${people(thread.blockedMembers)}`) : null,
      thread.yourStatus === 'pending' ? h('p', { class: 'meta' }, 'This is a request: accept it in Requests to reply.') : null,
    );
    replace(older, nextBefore ? actionButton('Load older messages', () => load(nextBefore), { 'data-key': 'older' }) : null);
    replace(replying, replyTo ? h('p', { class: 'quote' }, `Replying to ${replyTo.author}: ${snippet(replyTo)} `,
      h('button', { type: 'button', onclick: () => { replyTo = null; draw(); textarea.focus(); } }, 'Cancel reply')) : null);
    const readers = new Map();
    for (const m of thread.members ?? []) if (m.userId !== me && m.readUpToMessageId) readers.set(m.readUpToMessageId, [...(readers.get(m.readUpToMessageId) ?? []), m.userId]);
    replace(list, sorted().map(m => row(m, readers.get(m.id))));
    compose.hidden = thread.yourStatus !== 'active';
  }

  function snippet(m) {
    if (!m) return 'a message you cannot see';
    return m.deleted ? 'deleted message' : (m.text ?? '').slice(0, 80);
  }

  function row(m, readBy) {
    const mid = encodeURIComponent(m.id);
    const mine = m.author === me;
    const parent = m.replyTo ? messages.get(m.replyTo) : null;
    const body = editing === m.id ? editForm(m) : m.deleted
      ? h('p', { class: 'message-text tombstone' }, 'Message deleted')
      : h('p', { class: 'message-text' }, m.text);
    const reactions = (m.reactions ?? []).filter(r => r.by?.length);
    const mineReacted = emoji => reactions.some(r => r.emoji === emoji && r.by.includes(me));
    const react = emoji => actionButton(emoji, async () => {
      if (mineReacted(emoji)) await del(`/conversations/${id}/messages/${mid}/reactions/${encodeURIComponent(emoji)}`);
      else await post(`/conversations/${id}/messages/${mid}/reactions`, { emoji });
    }, { 'aria-pressed': String(mineReacted(emoji)), 'aria-label': `React ${emoji}`, 'data-key': `react:${m.id}:${emoji}` });
    return h('li', { class: mine ? 'mine' : '', 'data-message-id': m.id },
      h('p', { class: 'meta' }, h('strong', {}, mine ? 'You' : m.author), ' · ', time(m.sentAt), m.edits ? ' · edited' : '', m.kind === 'thanks' ? ' · thank-you note' : ''),
      m.replyTo ? h('p', { class: 'quote' }, `Reply to ${parent ? (parent.author === me ? 'you' : parent.author) : 'a message'}: ${snippet(parent)}`) : null,
      body,
      reactions.length ? h('p', { class: 'reactions', role: 'group', 'aria-label': 'Reactions' }, reactions.map(r =>
        h('span', { class: 'pill', title: people(r.by) }, `${r.emoji} ${r.by.length}`))) : null,
      readBy?.length ? h('p', { class: 'meta' }, `Read by ${people(readBy)}`) : null,
      m.deleted || thread.yourStatus !== 'active' ? null : h('div', { class: 'actions', role: 'group', 'aria-label': `Actions on the message from ${mine ? 'you' : m.author}` },
        h('button', { type: 'button', 'data-key': `reply:${m.id}`, onclick: () => { replyTo = m; draw(); textarea.focus(); } }, 'Reply'),
        QUICK_REACTIONS.map(react),
        mine ? [
          h('button', { type: 'button', 'data-key': `edit:${m.id}`, onclick: () => { editing = m.id; draw(); list.querySelector(`[data-key="editing:${m.id}"]`)?.focus(); } }, 'Edit'),
          actionButton('Delete', async () => { await del(`/conversations/${id}/messages/${mid}`); upsert({ ...m, deleted: true, text: null }); draw(); }, { class: 'danger', 'data-key': `delete:${m.id}` }),
        ] : actionButton('Report', async () => { await post(`/conversations/${id}/messages/${mid}/report`, {}); announce(`Message from ${m.author} reported`); }, { class: 'danger', 'data-key': `report:${m.id}` }),
      ),
    );
  }

  function editForm(m) {
    return actionForm({ class: 'stack', 'aria-label': 'Edit your message' }, [
      field('Edit message', h('textarea', { name: 'text', rows: 2, value: m.text ?? '', 'data-key': `editing:${m.id}` })),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'),
        h('button', { type: 'button', onclick: () => { editing = null; draw(); } }, 'Cancel')),
    ], async ({ text }) => {
      await put(`/conversations/${id}/messages/${encodeURIComponent(m.id)}`, { text });
      editing = null;
      upsert({ ...m, text, edits: (m.edits ?? 0) + 1 });
      draw();
    }, { reset: false });
  }

  const ours = handler => item => { if (item.conversationId === conversationId) handler(item); };
  const subscriptions = ctx.push ? [
    ctx.push.on('message_sent', ours(item => {
      const gap = item.sequence > highest() + 1 && messages.size > 0;
      upsert({ id: item.messageId, sequence: item.sequence, author: item.author, text: item.text, replyTo: item.replyTo, sentAt: item.at, kind: 'message' });
      if (!messages.get(item.messageId).reactions) upsert({ id: item.messageId, reactions: [] });
      if (item.author !== me) announce(`${item.author}: ${item.text}`);
      draw();
      if (gap) reload(); else markRead();
    })),
    ctx.push.on('message_edited', ours(item => {
      const m = messages.get(item.messageId);
      if (m) { upsert({ id: m.id, text: item.text, edits: (m.edits ?? 0) + 1, editedAt: item.at }); draw(); }
    })),
    ctx.push.on('message_deleted', ours(item => {
      if (messages.has(item.messageId)) { upsert({ id: item.messageId, deleted: true, text: null, deletedAt: item.at }); draw(); }
    })),
    ...['reaction_added', 'reaction_withdrawn'].map(type => ctx.push.on(type, ours(item => {
      const m = messages.get(item.messageId);
      if (!m) return;
      const reactions = (m.reactions ?? []).map(r => ({ ...r, by: r.by.filter(u => u !== item.userId || r.emoji !== item.emoji) }));
      const entry = reactions.find(r => r.emoji === item.emoji) ?? reactions[reactions.push({ emoji: item.emoji, by: [] }) - 1];
      if (type === 'reaction_added') entry.by.push(item.userId);
      upsert({ id: m.id, reactions });
      draw();
    }))),
    ctx.push.on('messages_read', ours(item => {
      const member = thread?.members?.find(m => m.userId === item.userId);
      if (!member) return;
      const current = messages.get(member.readUpToMessageId)?.sequence ?? 0;
      if (item.upToSequence >= current) member.readUpToMessageId = item.upToMessageId;
      draw();
    })),
    ctx.push.on('conversation', ours(reload)),
    ctx.push.on('thanks_sent', ours(reload)),
    ctx.push.on('resumed', reload),
    ctx.push.on('ready', reload),
    ctx.push.on('reload', reload),
  ] : [];

  container.append(header, about, older, list, compose);
  load();
  return () => subscriptions.forEach(off => off());
}

export { conversationName };
