// The operators' report queue (GET /reports): each case with what was reported as its first reporter saw it, who
// reported and why, and the decisions so far. An open case is dismissed, or its message removed for everyone, with
// the operator's reason (required: it goes to the moderation audit).
import { get, post, query, itemsOf } from '../api.js';
import { h, field, actionButton, heading, replace, showError, announce, time } from '../ui.js';

export function mount(main) {
  const list = h('div', {});
  const status = h('select', { name: 'status' }, h('option', { value: 'open' }, 'Open'), h('option', { value: 'resolved' }, 'Resolved'));
  let rows = [], gone = false;

  async function load(after = null) {
    try {
      const { items, next } = itemsOf(await get(`/reports${query({ status: status.value, after })}`));
      rows = after ? rows.concat(items) : items;
      if (!gone) draw(next);
    } catch (error) {
      showError(error);
    }
  }

  function draw(next) {
    replace(list,
      rows.length ? h('ul', { class: 'cards', 'aria-label': 'Reports' }, rows.map(row)) : h('p', { class: 'meta' }, `No ${status.value} reports.`),
      next ? actionButton('More reports', () => load(next), { 'data-key': 'more' }) : null);
  }

  function message(m) {
    return h('li', {}, h('strong', {}, m.author), ': ',
      m.deleted ? h('span', { class: 'tombstone' }, 'Message deleted') : h('span', { class: 'message-text' }, m.text ?? ''));
  }

  function row(report) {
    const id = report.reportId;
    const rid = encodeURIComponent(id);
    const about = report.reportedUser;
    const what = report.kind === 'request' ? 'request' : 'message';
    const open = report.status === 'open';
    const reason = h('input', { name: 'reason', required: true, 'data-key': `reason:${id}` });
    const decide = (path, done) => async () => {
      await post(`/reports/${rid}/${path}`, { reason: reason.value });
      announce(done);
      await load();
    };
    return h('li', { 'aria-label': `Report about ${about}` },
      h('p', {}, h('strong', {}, `Reported ${what} from ${about}`), ' · ', time(report.queuedAt),
        report.reportedUserOpenReports > 1 ? ` · ${report.reportedUserOpenReports} open reports about ${about}` : ''),
      h('ul', { class: 'reported', 'aria-label': 'Reported messages' }, report.reported.map(message)),
      report.context.length > report.reported.length
        ? h('details', {}, h('summary', {}, 'Conversation before it'), h('ul', { 'aria-label': 'Context' }, report.context.map(message)))
        : null,
      h('ul', { class: 'meta', 'aria-label': 'Filed reports' }, report.reports.map(r =>
        h('li', {}, `Report by ${r.reporter}`, r.reason ? `: ${r.reason}` : '', ' · ', time(r.at)))),
      report.decisions.length ? h('ul', { class: 'meta', 'aria-label': 'Decisions' }, report.decisions.map(d =>
        h('li', {}, `${d.action === 'removed' ? 'Removed' : 'Dismissed'} by ${d.operator}: ${d.reason} · `, time(d.at)))) : null,
      open ? h('div', { class: 'actions' },
        field('Reason for the decision', reason),
        actionButton('Dismiss report', decide('dismiss', `Report about ${about} dismissed`),
          { 'aria-label': `Dismiss report about ${about}`, 'data-key': `dismiss:${id}` }),
        actionButton(what === 'request' ? 'Remove messages' : 'Remove message', decide('remove', `Reported ${what} removed for everyone`),
          { class: 'danger', 'aria-label': `Remove the ${what} reported about ${about}`, 'data-key': `remove:${id}` })) : null);
  }

  status.addEventListener('change', () => load());
  main.append(heading('Reports'), h('div', { class: 'inline' }, field('Status', status)), list);
  load();
  return () => { gone = true; };
}
