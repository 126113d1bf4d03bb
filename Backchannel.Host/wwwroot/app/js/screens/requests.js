// The requests inbox: who wrote, their opening message, people in common and where you met; accept, decline,
// block or report each one. New requests arrive live and are announced.
import { get, post, itemsOf } from '../api.js';
import { h, field, actionForm, actionButton, heading, replace, debounce, showError, announce, time, people } from '../ui.js';

export function mount(main, _params, ctx) {
  const list = h('ul', { class: 'cards', 'aria-label': 'Message requests' });
  const status = h('p', { class: 'meta' });
  const reporting = new Set();
  let items = [];

  const load = debounce(async () => {
    try {
      items = itemsOf(await get('/inbox/requests')).items;
      draw();
    } catch (error) {
      showError(error);
    }
  });

  function draw() {
    status.textContent = items.length ? `${items.length} waiting` : 'No requests waiting.';
    replace(list, items.map(row));
  }

  function done(item, what) {
    items = items.filter(i => i.conversationId !== item.conversationId);
    draw();
    announce(`Request from ${item.from} ${what}`);
    main.querySelector('h1')?.focus();
  }

  function row(item) {
    const id = encodeURIComponent(item.conversationId);
    const from = item.from;
    const context = item.context ?? {};
    const opening = item.openingMessage;
    const actions = h('div', { class: 'actions' },
      actionButton('Accept', async () => { await post(`/conversations/${id}/accept`); ctx.navigate(`/app/c/${id}`); },
        { class: 'primary', 'aria-label': `Accept request from ${from}`, 'data-key': `accept:${id}` }),
      actionButton('Decline', async () => { await post(`/conversations/${id}/decline`); done(item, 'declined'); },
        { 'aria-label': `Decline request from ${from}`, 'data-key': `decline:${id}` }),
      actionButton('Block', async () => { await post(`/conversations/${id}/block`); done(item, 'declined and blocked'); },
        { class: 'danger', 'aria-label': `Block ${from}`, 'data-key': `block:${id}` }),
      actionButton('Report', async () => { reporting.add(item.conversationId); draw(); list.querySelector(`[data-key="reason:${id}"]`)?.focus(); },
        { class: 'danger', 'aria-label': `Report request from ${from}`, 'aria-expanded': String(reporting.has(item.conversationId)), 'data-key': `report:${id}` }),
    );
    const reportForm = reporting.has(item.conversationId) ? actionForm({ class: 'inline', 'aria-label': `Report request from ${from}` }, [
      field('Reason (optional)', h('input', { name: 'reason', 'data-key': `reason:${id}` })),
      h('button', { type: 'submit', class: 'danger' }, 'Send report'),
      h('button', { type: 'button', onclick: () => { reporting.delete(item.conversationId); draw(); } }, 'Cancel'),
    ], async ({ reason }) => {
      await post(`/conversations/${id}/report`, reason ? { reason } : {});
      reporting.delete(item.conversationId);
      done(item, 'reported');
    }) : null;
    return h('li', { 'aria-label': `Request from ${from}` },
      h('p', {}, h('strong', {}, from), item.otherMembers?.length ? ` with ${people(item.otherMembers)}` : '', ' · ', time(item.receivedAt)),
      opening ? h('p', { class: 'message-text' }, opening.deleted ? h('span', { class: 'tombstone' }, 'Message deleted') : opening.text) : null,
      item.waitingMessages > 1 ? h('p', { class: 'meta' }, `${item.waitingMessages} messages waiting`) : null,
      h('p', { class: 'meta' }, context.peopleInCommon?.length ? `People in common: ${people(context.peopleInCommon)}` : 'No people in common'),
      context.room ? h('p', { class: 'meta' }, `You were both in the room “${context.room.title}”`) : null,
      context.event ? h('p', { class: 'meta' }, `A thank-you for the event “${context.event.title}”`) : null,
      h('p', { class: 'meta' }, h('a', { href: `/app/c/${id}` }, `Read the whole request from ${from}`)),
      actions, reportForm,
    );
  }

  main.append(heading('Requests'), h('p', { class: 'meta' }, 'People you do not follow. They do not know whether you read their request.'), status, list);
  load();
  const subscriptions = ['conversation', 'message_sent', 'ready', 'resumed', 'reload', 'thanks_sent'].map(type => ctx.push?.on(type, load));
  return () => subscriptions.forEach(off => off?.());
}
