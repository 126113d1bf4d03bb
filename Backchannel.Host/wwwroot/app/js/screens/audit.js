// The audits: every decision on a message request (yours; all of them for operators), filtered by user and time;
// and, for operators, every decision on rooms, the stage and questions.
import { get, query, itemsOf } from '../api.js';
import { h, field, actionForm, actionButton, heading, replace, time } from '../ui.js';

// A datetime-local value has no offset; the API wants one, so the browser's own zone is made explicit.
const instant = value => (value ? new Date(value).toISOString() : '');

export function mount(main, _params, ctx) {
  main.append(heading('Audit'),
    auditSection({
      id: 'request-audit', title: 'Request audit', path: '/audit/requests', button: 'Search requests',
      fields: [['User', 'userId']],
      columns: [['When', e => time(e.at)], ['Decision', e => e.decision], ['Actor', e => e.actor], ['Requester', e => e.requester],
        ['Recipient', e => e.recipient], ['Rule', e => e.rule], ['Reason', e => e.reason]],
    }),
    ctx.isOperator ? auditSection({
      id: 'room-audit', title: 'Room audit', path: '/audit/rooms', button: 'Search rooms',
      fields: [['Room id', 'roomId'], ['Event id', 'eventId'], ['User', 'userId']],
      columns: [['When', e => time(e.at)], ['Action', e => e.action], ['Actor', e => e.actor], ['Subject', e => e.subject],
        ['Room', e => e.roomId], ['Question', e => e.questionId], ['Reason', e => e.reason], ['Detail', e => e.detail]],
    }) : null);
}

function auditSection({ id, title, path, button, fields, columns }) {
  const results = h('div', {});
  let rows = [], filters = {};

  function table(next) {
    return [
      h('table', {}, h('caption', {}, `${title}: ${rows.length} ${rows.length === 1 ? 'entry' : 'entries'}`),
        h('thead', {}, h('tr', {}, columns.map(([name]) => h('th', { scope: 'col' }, name)))),
        h('tbody', {}, rows.map(row => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row) ?? '')))))),
      next ? actionButton(`More of the ${title.toLowerCase()}`, () => search(next), { 'data-key': `${id}:more` }) : null,
    ];
  }

  async function search(after = null) {
    const answer = await get(`${path}${query({ ...filters, after })}`);
    const { items, next } = itemsOf(answer);
    rows = after ? rows.concat(items) : items;
    replace(results, table(next));
  }

  const form = actionForm({ class: 'inline', 'aria-labelledby': `${id}-title` }, [
    fields.map(([label, name]) => field(label, h('input', { name, autocomplete: 'off', autocapitalize: 'none' }))),
    field('From', h('input', { name: 'from', type: 'datetime-local' })),
    field('To', h('input', { name: 'to', type: 'datetime-local' })),
    h('button', { type: 'submit' }, button),
  ], async values => {
    filters = { ...values, from: instant(values.from), to: instant(values.to) };
    await search();
  }, { reset: false });

  return h('section', { 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), form, results);
}
