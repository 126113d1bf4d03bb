// Who is signed in: the token lives in this tab's sessionStorage (never in a URL), and its claims say the handle
// and whether the user is an operator. The server checks everything again; the claims only shape the page.
const KEY = 'backchannel.token';
const listeners = new Set();

function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent([...atob(part)].map(c => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  get claims() { return this.token ? claimsOf(this.token) : null; },
  get user() { return this.claims?.sub ?? null; },
  get isOperator() {
    const role = this.claims?.role;
    return role === 'operator' || (Array.isArray(role) && role.includes('operator'));
  },
  /** Accepts a token only when it reads as a JWT with a subject; returns whether it did. */
  signIn(token) {
    const claims = claimsOf(token.trim());
    if (!claims?.sub) return false;
    sessionStorage.setItem(KEY, token.trim());
    listeners.forEach(l => l());
    return true;
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    listeners.forEach(l => l());
  },
  onChange(listener) { listeners.add(listener); return () => listeners.delete(listener); },
};
