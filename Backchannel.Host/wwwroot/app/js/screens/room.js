// A room: join, ask (anonymously or not), upvote, raise a hand, leave. For its moderators and speakers: the
// moderation queue by votes, live from the push stream (approve, dismiss, answer, promote from a question or a
// raised hand) and the stage backchannel. The push stream carries nothing of a room to its audience, so the
// room's own view is read again every few seconds while the page is open.
import { get, post, del, ApiError } from '../api.js';
import { h, field, checkbox, actionForm, actionButton, heading, replace, debounce, showError, clearError, announce, time, people } from '../ui.js';
import { mountThread } from './thread.js';
import { remember } from './rooms.js';

const POLL_MS = 2500;

export function mount(main, [roomId], ctx) {
  const rid = encodeURIComponent(roomId);
  let room = null, moderation = null, answering = null, unmountStage = null, stageId = null, timer = null, gone = false, seen = null;
  const drafts = new Map(), visibilities = new Map();

  const title = heading('Room');
  const info = h('div', {});
  const stage = h('section', { 'aria-labelledby': 'on-stage' });
  const audience = h('section', { 'aria-labelledby': 'as-listener' });
  const questions = h('section', { 'aria-labelledby': 'room-questions' });
  const mine = h('section', { 'aria-labelledby': 'your-questions' });
  const queue = h('section', { 'aria-labelledby': 'moderation-queue' });
  const backchannel = h('section', { class: 'stage-thread' });
  const leave = h('div', { class: 'actions' });

  const ask = actionForm({ class: 'stack', 'aria-labelledby': 'ask-question' }, [
    h('h3', { id: 'ask-question' }, 'Ask a question'),
    field('Your question', h('textarea', { name: 'text', rows: 2, maxlength: 500 })),
    checkbox('Ask anonymously', { name: 'anonymous' }),
    h('button', { type: 'submit' }, 'Ask'),
  ], async ({ text, anonymous }) => {
    await post(`/rooms/${rid}/questions`, { text, anonymous: anonymous === 'on' });
    announce('Question sent to the stage');
    await load();
  });

  async function load() {
    try {
      room = await get(`/rooms/${rid}`);
      remember(room.roomId, room.title);
      moderation = room.yourRole === 'listener' ? null : await get(`/rooms/${rid}/moderation`).catch(() => null);
      // Read again and again: only a change redraws, so nothing moves under the reader's eyes or focus.
      const now = JSON.stringify([room, moderation]);
      if (now === seen) return;
      seen = now;
      draw();
    } catch (error) {
      if (error instanceof ApiError && [403, 404].includes(error.status) && !room) drawOutside(error);
      else showError(error);
    }
  }
  const reload = debounce(load, 60);

  function drawOutside(error) {
    title.textContent = 'Room';
    replace(info, h('p', {}, error.status === 404 ? 'There is no such room, or it is not open to you.' : 'You are not in this room.'),
      actionButton('Join room', async () => { await post(`/rooms/${rid}/join`); clearError(); await load(); title.focus(); }, { class: 'primary', 'data-key': 'join' }));
  }

  function draw() {
    title.textContent = room.title;
    document.title = `${room.title} · Backchannel`;
    const listener = room.yourRole === 'listener';
    replace(info,
      h('p', {}, `You are ${room.yourRole === 'moderator' ? 'a moderator' : `a ${room.yourRole}`} in this room.`, room.ended ? ' The room has ended.' : ''),
      h('p', { class: 'meta' }, `Started `, time(room.startedAt), ` · room id `, h('code', {}, room.roomId)));

    replace(stage, h('h2', { id: 'on-stage' }, 'On stage'), h('ul', {}, (room.stage ?? []).map(s => h('li', {}, `${s.userId} (${s.role})`,
      room.yourRole === 'moderator' && s.role === 'speaker' ? [' ', actionButton(`Move ${s.userId} to the audience`, () => act(del(`/rooms/${rid}/stage/${encodeURIComponent(s.userId)}`)), { 'data-key': `audience:${s.userId}` })] : null))),
      h('h2', {}, `Listeners (${room.listenerCount})`), h('ul', {}, (room.listeners ?? []).map(l => h('li', {}, l))));

    audience.hidden = !listener || room.ended;
    replace(audience.querySelector('.hand') ?? audience.appendChild(h('div', { class: 'hand' })),
      h('h2', { id: 'as-listener' }, 'In the audience'),
      room.yourHandRaised
        ? actionButton('Lower hand', () => act(del(`/rooms/${rid}/hand`)), { 'data-key': 'hand' })
        : actionButton('Raise hand', () => act(post(`/rooms/${rid}/hand`)), { 'data-key': 'hand' }));
    if (!ask.isConnected) audience.append(ask);

    replace(questions, h('h2', { id: 'room-questions' }, 'Questions'),
      room.questions?.length ? h('ul', { class: 'cards', 'aria-label': 'Questions in the room' }, room.questions.map(q => questionRow(q, listener)))
        : h('p', { class: 'meta' }, 'No questions approved yet.'));

    mine.hidden = !room.yourQuestions?.length;
    replace(mine, h('h2', { id: 'your-questions' }, 'Your questions'),
      h('ul', { class: 'cards', 'aria-label': 'Your questions' }, (room.yourQuestions ?? []).map(q => h('li', {},
        h('p', { class: 'message-text' }, q.text), h('p', { class: 'meta' }, status(q), q.anonymous ? ' · asked anonymously' : ''), answers(q)))));

    queue.hidden = !moderation;
    if (moderation) drawQueue();

    const wantStage = !listener && room.stageConversationId ? room.stageConversationId : null;
    if (wantStage !== stageId) {
      unmountStage?.();
      unmountStage = null;
      backchannel.replaceChildren();
      stageId = wantStage;
      if (stageId) unmountStage = mountThread(backchannel, stageId, ctx, { embedded: true, title: 'Stage backchannel' });
    }
    backchannel.hidden = !stageId;

    replace(leave, room.ended ? null : actionButton('Leave room', async () => { await post(`/rooms/${rid}/leave`); ctx.navigate('/app/rooms'); }, { 'data-key': 'leave' }),
      room.yourRole === 'moderator' && !room.ended ? actionButton('End room', () => act(post(`/rooms/${rid}/end`)), { class: 'danger', 'data-key': 'end' }) : null);
  }

  function status(q) {
    const words = { pending: 'waiting for the stage', approved: 'approved', dismissed: 'dismissed', answered: 'answered' };
    return `${words[q.status] ?? q.status}${q.answeredLive ? ' live' : ''}${q.dismissedReason ? ` (${q.dismissedReason})` : ''}`;
  }

  function answers(q) {
    return q.answers?.length ? h('ul', { 'aria-label': 'Answers' }, q.answers.map(a =>
      h('li', {}, h('strong', {}, `Answer from ${a.answeredBy}`), a.visibility === 'private' ? ' (only the asker reads it)' : '', ': ', a.text))) : null;
  }

  function questionRow(q, listener) {
    const qid = encodeURIComponent(q.questionId);
    return h('li', {},
      h('p', { class: 'message-text' }, q.text),
      h('p', { class: 'meta' }, q.anonymous ? 'Asked anonymously' : `Asked by ${q.askedBy}`, ` · ${q.upvotes} ${q.upvotes === 1 ? 'vote' : 'votes'}`, q.pinned ? ' · pinned' : '', q.status === 'answered' ? ' · answered' : ''),
      answers(q),
      listener && !room.ended ? h('div', { class: 'actions' }, actionButton('Upvote',
        () => act(q.youUpvoted ? del(`/rooms/${rid}/questions/${qid}/upvote`) : post(`/rooms/${rid}/questions/${qid}/upvote`)),
        { 'aria-pressed': String(!!q.youUpvoted), 'aria-label': `Upvote: ${q.text}`, 'data-key': `upvote:${q.questionId}` })) : null);
  }

  function drawQueue() {
    const moderator = room.yourRole === 'moderator';
    const byVotes = [...(moderation.pending ?? [])].sort((a, b) => b.upvotes - a.upvotes || String(a.askedAt).localeCompare(String(b.askedAt)));
    replace(queue,
      h('h2', { id: 'moderation-queue' }, 'Moderation queue'),
      byVotes.length ? h('ol', { class: 'cards', 'aria-label': 'Questions waiting, most votes first' }, byVotes.map(q => moderationRow(q, moderator, true)))
        : h('p', { class: 'meta' }, 'No questions waiting.'),
      h('h3', {}, 'Approved'),
      moderation.approved?.length ? h('ol', { class: 'cards', 'aria-label': 'Approved questions' }, moderation.approved.map(q => moderationRow(q, moderator, false)))
        : h('p', { class: 'meta' }, 'None.'),
      h('h3', {}, 'Raised hands'),
      moderation.raisedHands?.length ? h('ol', { 'aria-label': 'Raised hands, first raised first' }, moderation.raisedHands.map(hand => h('li', {}, hand.userId, ' · ', time(hand.raisedAt), ' ',
        moderator ? actionButton(`Invite ${hand.userId} to the stage`, () => act(post(`/rooms/${rid}/stage`, { userId: hand.userId, questionId: null })), { 'data-key': `hand:${hand.userId}` }) : null)))
        : h('p', { class: 'meta' }, 'No hands raised.'),
      moderation.answered?.length ? [h('h3', {}, 'Answered'), h('ul', { 'aria-label': 'Answered questions' }, moderation.answered.map(q => h('li', {}, q.text, answers(q))))] : null,
      moderation.dismissed?.length ? [h('h3', {}, 'Dismissed'), h('ul', { 'aria-label': 'Dismissed questions' }, moderation.dismissed.map(q => h('li', {}, q.text, q.dismissedReason ? ` (${q.dismissedReason})` : '',
        ' ', actionButton('Reopen', () => act(post(`/rooms/${rid}/questions/${encodeURIComponent(q.questionId)}/reopen`)), { 'aria-label': `Reopen: ${q.text}`, 'data-key': `reopen:${q.questionId}` }))))] : null,
    );
  }

  function moderationRow(q, moderator, pending) {
    const qid = encodeURIComponent(q.questionId);
    const path = `/rooms/${rid}/questions/${qid}`;
    const who = q.anonymous ? 'anonymous' : q.askedBy;
    return h('li', {},
      h('p', { class: 'message-text' }, q.text),
      h('p', { class: 'meta' }, h('span', { class: 'votes' }, `${q.upvotes} ${q.upvotes === 1 ? 'vote' : 'votes'}`), ` · from ${who} · `, time(q.askedAt), q.pinned ? ' · pinned' : ''),
      h('div', { class: 'actions', role: 'group', 'aria-label': `Moderate: ${q.text}` },
        pending ? actionButton('Approve', () => act(post(`${path}/approve`)), { 'aria-label': `Approve: ${q.text}`, 'data-key': `approve:${q.questionId}` }) : null,
        actionButton('Dismiss', () => act(post(`${path}/dismiss`)), { class: 'danger', 'aria-label': `Dismiss: ${q.text}`, 'data-key': `dismiss:${q.questionId}` }),
        h('button', { type: 'button', 'aria-expanded': String(answering === q.questionId), 'aria-label': `Answer: ${q.text}`, 'data-key': `answer:${q.questionId}`,
          onclick: () => { answering = answering === q.questionId ? null : q.questionId; drawQueue(); queue.querySelector(`[data-key="draft:${q.questionId}"]`)?.focus(); } }, 'Answer'),
        !pending ? actionButton('Answered live', () => act(post(`${path}/answered-live`)), { 'aria-label': `Answered live: ${q.text}`, 'data-key': `live:${q.questionId}` }) : null,
        !pending ? actionButton(q.pinned ? 'Unpin' : 'Pin', () => act(q.pinned ? del(`${path}/pin`) : post(`${path}/pin`)), { 'aria-label': `${q.pinned ? 'Unpin' : 'Pin'}: ${q.text}`, 'data-key': `pin:${q.questionId}` }) : null,
        moderator && !q.anonymous && q.askedBy && !q.takenToStage ? actionButton(`Invite ${q.askedBy} to the stage`,
          () => act(post(`/rooms/${rid}/stage`, { userId: q.askedBy, questionId: q.questionId })), { 'data-key': `promote:${q.questionId}` }) : null,
      ),
      answering === q.questionId ? answerForm(q, path) : null);
  }

  function answerForm(q, path) {
    const text = h('textarea', { name: 'text', rows: 2, value: drafts.get(q.questionId) ?? '', 'data-key': `draft:${q.questionId}`, oninput: e => drafts.set(q.questionId, e.target.value) });
    return actionForm({ class: 'stack', 'aria-label': `Answer: ${q.text}` }, [
      field('Answer', text),
      field('Who reads it', h('select', { name: 'visibility', 'data-key': `visibility:${q.questionId}`, onchange: e => visibilities.set(q.questionId, e.target.value) },
        [['public', 'Everyone in the room'], ['private', 'Only the asker']].map(([value, label]) =>
          h('option', { value, selected: (visibilities.get(q.questionId) ?? 'public') === value }, label)))),
      h('button', { type: 'submit' }, 'Send answer'),
    ], async ({ text: answer, visibility }) => {
      await post(`${path}/answer`, { text: answer, visibility });
      drafts.delete(q.questionId);
      answering = null;
      announce('Answer sent');
      await load();
    });
  }

  async function act(request) {
    await request;
    await load();
  }

  async function poll() {
    if (gone) return;
    await load();
    if (!gone) timer = setTimeout(poll, POLL_MS);
  }

  main.append(title, info, audience, questions, mine, queue, backchannel, stage, leave);
  poll();
  const subscriptions = ctx.push ? [
    ctx.push.on('moderation', item => {
      if (item.roomId !== roomId) return;
      if (item.change === 'question_asked') announce('A new question is waiting');
      reload();
    }),
    ctx.push.on('resumed', reload),
    ctx.push.on('reload', reload),
  ] : [];
  return () => { gone = true; clearTimeout(timer); unmountStage?.(); subscriptions.forEach(off => off()); };
}
