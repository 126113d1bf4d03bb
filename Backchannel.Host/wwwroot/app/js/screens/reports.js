// The operators' report queue (GET /reports): each report with what was reported, dismiss it or remove the
// message for everyone. Behind a feature check: a host without the queue answers 404, and the page says so.
import { get, post, query, itemsOf, ApiError } from '../api.js';
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
      if (error instanceof ApiError && error.status === 404) {
        filters.hidden = true;
        replace(list, h('p', {}, 'Reports are not available on this server yet.'));
      } else showError(error);
    }
  }

  function draw(next) {
    replace(list,
      rows.length ? h('ul', { class: 'cards', 'aria-label': 'Reports' }, rows.map(row)) : h('p', { class: 'meta' }, `No ${status.value} reports.`),
      next ? actionButton('More reports', () => load(next), { 'data-key': 'more' }) : null);
  }

  function row(report) {
    const id = report.reportId ?? report.id;
    const rid = encodeURIComponent(id);
    const by = report.reportedBy ?? report.reporter ?? 'someone';
    const about = report.author ?? report.reportedUser ?? report.subject ?? report.sender ?? null;
    const text = report.message?.text ?? report.text ?? report.messageText ?? null;
    const resolved = (report.status ?? 'open') !== 'open';
    return h('li', { 'aria-label': `Report by ${by}${about ? ` about ${about}` : ''}` },
      h('p', {}, h('strong', {}, `Report by ${by}`), about ? ` about ${about}` : '', ' · ', time(report.at ?? report.reportedAt)),
      text ? h('p', { class: 'message-text' }, text) : null,
      report.reason ? h('p', { class: 'meta' }, `Reason: ${report.reason}`) : null,
      resolved ? h('p', { class: 'meta' }, `Resolved${report.resolution ? `: ${report.resolution}` : ''}`) : h('div', { class: 'actions' },
        actionButton('Dismiss report', async () => { await post(`/reports/${rid}/dismiss`); announce(`Report by ${by} dismissed`); await load(); },
          { 'aria-label': `Dismiss report by ${by}`, 'data-key': `dismiss:${id}` }),
        actionButton('Remove message', async () => { await post(`/reports/${rid}/remove`); announce(`Message removed for everyone`); await load(); },
          { class: 'danger', 'aria-label': `Remove the message reported by ${by}`, 'data-key': `remove:${id}` })));
  }

  status.addEventListener('change', () => load());
  const filters = h('div', { class: 'inline' }, field('Status', status));
  main.append(heading('Reports'), filters, list);
  load();
  return () => { gone = true; };
}
