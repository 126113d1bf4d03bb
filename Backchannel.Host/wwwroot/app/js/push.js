// The caller's push stream (GET /me/events) read with fetch(), so the token travels in the Authorization header and
// never in a URL, parsed as Server-Sent Events from the response's ReadableStream. It resumes after a drop from the
// last id it saw (Last-Event-ID), so each item arrives once and in order; after a reconnect it also tells the
// screens ('resumed') so they reload what they show. Screens subscribe with push.on(type, handler).
import { problemOf } from './api.js';

// A few of the server's heartbeats missed in a row: the connection is dead even if nothing said so.
const QUIET_LIMIT_MS = 45_000;

export class PushStream {
  #token; #events = new EventTarget(); #controller = null; #stopped = false; #lastEventId = null;
  #retryMs = 2000; #connectedBefore = false; #watchdog = null; #wake = null;
  state = 'idle';

  constructor(token) { this.#token = token; }

  get lastEventId() { return this.#lastEventId; }

  /** Subscribes to one item kind ('message_sent', …), to 'status', 'ready', 'reload', 'resumed', or '*' for all. */
  on(type, handler) {
    const listener = event => handler(event.detail, event.type);
    this.#events.addEventListener(type, listener);
    return () => this.#events.removeEventListener(type, listener);
  }

  start() {
    addEventListener('offline', this.#dropped);
    addEventListener('online', this.#online);
    this.#loop();
    return this;
  }

  stop() {
    this.#stopped = true;
    removeEventListener('offline', this.#dropped);
    removeEventListener('online', this.#online);
    this.#controller?.abort();
    this.#wake?.();
  }

  #emit(type, detail) {
    this.#events.dispatchEvent(new CustomEvent(type, { detail }));
    if (type !== 'status') this.#events.dispatchEvent(new CustomEvent('*', { detail: { type, data: detail } }));
  }

  #status(state) {
    if (this.state === state) return;
    this.state = state;
    this.#emit('status', state);
  }

  // The browser says the network went: drop the stream now rather than wait for a timeout, and reconnect when it is back.
  #dropped = () => { this.#status('offline'); this.#controller?.abort(); };
  #online = () => this.#wake?.();

  async #loop() {
    while (!this.#stopped) {
      if (!navigator.onLine) {
        this.#status('offline');
        await this.#pause(60_000);
        continue;
      }
      this.#status(this.#connectedBefore ? 'reconnecting' : 'connecting');
      let delay = this.#retryMs;
      try {
        delay = await this.#connect();
      } catch (error) {
        if (error?.name !== 'AbortError' && error?.status === 401) { this.#emit('unauthorized'); return; }
      }
      if (this.#stopped) return;
      this.#status(navigator.onLine ? 'reconnecting' : 'offline');
      await this.#pause(delay + Math.random() * 500);
    }
  }

  // Waits for the delay, or until the network comes back or the stream is stopped.
  #pause(ms) {
    return new Promise(resolve => {
      const timer = setTimeout(done, ms);
      function done() { clearTimeout(timer); resolve(); }
      this.#wake = done;
    });
  }

  /** One connection, read until it ends; returns how long to wait before the next one. */
  async #connect() {
    const controller = this.#controller = new AbortController();
    const headers = { Authorization: `Bearer ${this.#token}`, Accept: 'text/event-stream' };
    if (this.#lastEventId) headers['Last-Event-ID'] = this.#lastEventId;
    const response = await fetch('/me/events', { headers, signal: controller.signal, cache: 'no-store' });
    if (!response.ok) {
      const error = await problemOf(response);
      if (response.status === 401) throw error;
      const seconds = Number(error.retryAfter);
      return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : this.#retryMs * 2;
    }
    const resumed = this.#connectedBefore;
    this.#connectedBefore = true;
    this.#status('live');
    if (resumed) this.#emit('resumed', { lastEventId: this.#lastEventId });
    this.#touch(controller);
    try {
      await this.#read(response.body, controller);
    } finally {
      clearTimeout(this.#watchdog);
    }
    return this.#retryMs;
  }

  #touch(controller) {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => controller.abort(), QUIET_LIMIT_MS);
  }

  // The text/event-stream format: lines end in LF, CRLF or CR; a blank line dispatches; ':' starts a comment.
  async #read(body, controller) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '', frame = { data: [], event: null, id: null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      this.#touch(controller);
      buffer += value;
      let match;
      while ((match = /\r\n|\r|\n/.exec(buffer))) {
        // A lone CR at the very end may be the first half of a CRLF still on its way.
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          this.#dispatch(frame);
          frame = { data: [], event: null, id: null };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (name === 'data') frame.data.push(value);
        else if (name === 'event') frame.event = value;
        else if (name === 'id' && !value.includes('\0')) frame.id = value;
        else if (name === 'retry' && /^\d+$/.test(value)) this.#retryMs = Number(value);
      }
    }
  }

  #dispatch(frame) {
    if (frame.id !== null) this.#lastEventId = frame.id;
    if (!frame.data.length) return;
    let data;
    try { data = JSON.parse(frame.data.join('\n')); } catch { return; }
    this.#emit(frame.event || 'message', data);
  }
}
