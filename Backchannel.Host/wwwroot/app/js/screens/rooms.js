// Rooms: start one, or join one by its id; the rooms you were in lately (kept in this browser only).
import { post } from '../api.js';
import { h, field, actionForm, heading } from '../ui.js';

const KEY = 'backchannel.rooms';

export function remember(roomId, title) {
  const rooms = recent().filter(r => r.roomId !== roomId);
  rooms.unshift({ roomId, title });
  localStorage.setItem(KEY, JSON.stringify(rooms.slice(0, 10)));
}

function recent() {
  try { return JSON.parse(localStorage.getItem(KEY) ?? '[]'); } catch { return []; }
}

export function mount(main, _params, ctx) {
  const start = actionForm({ class: 'stack', 'aria-labelledby': 'start-room' }, [
    h('h2', { id: 'start-room' }, 'Start a room'),
    field('Title', h('input', { name: 'title', autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Start room'),
  ], async ({ title }) => {
    const created = await post('/rooms', { title, eventId: null });
    remember(created.roomId, title);
    ctx.navigate(`/app/rooms/${encodeURIComponent(created.roomId)}`);
  });

  const join = actionForm({ class: 'stack', 'aria-labelledby': 'join-room' }, [
    h('h2', { id: 'join-room' }, 'Join a room'),
    field('Room id', h('input', { name: 'roomId', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' })),
    h('button', { type: 'submit' }, 'Join room'),
  ], async ({ roomId }) => {
    await post(`/rooms/${encodeURIComponent(roomId.trim())}/join`);
    ctx.navigate(`/app/rooms/${encodeURIComponent(roomId.trim())}`);
  });

  const rooms = recent();
  main.append(heading('Rooms'), h('div', { class: 'grid2' }, start, join),
    rooms.length ? h('section', { 'aria-labelledby': 'recent-rooms' }, h('h2', { id: 'recent-rooms' }, 'Rooms you were in'),
      h('ul', {}, rooms.map(r => h('li', {}, h('a', { href: `/app/rooms/${encodeURIComponent(r.roomId)}` }, r.title || r.roomId))))) : null);
}
