// Sign in: with a handle in Development (POST /dev/tokens), or by pasting a token minted elsewhere
// (`dotnet run --project Backchannel.Host -- token <handle>`).
import { post, ApiError } from '../api.js';
import { session } from '../session.js';
import { h, field, checkbox, actionForm, heading } from '../ui.js';

export function mount(main) {
  const withHandle = actionForm({ class: 'stack', 'aria-labelledby': 'signin-handle' }, [
    h('h2', { id: 'signin-handle' }, 'With a handle (Development)'),
    field('Handle', h('input', { name: 'userId', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' })),
    checkbox('Sign in as an operator', { name: 'operator' }),
    h('button', { type: 'submit' }, 'Sign in'),
  ], async ({ userId, operator }) => {
    try {
      const { token } = await post('/dev/tokens', { userId: userId.trim(), operator: operator === 'on' });
      session.signIn(token);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405))
        throw new ApiError(404, { title: 'Signing in with a handle works only in Development', detail: 'Paste a token instead.' });
      throw error;
    }
  });

  const withToken = actionForm({ class: 'stack', 'aria-labelledby': 'signin-token' }, [
    h('h2', { id: 'signin-token' }, 'With a token'),
    field('Token', h('textarea', { name: 'token', required: true, rows: 3, spellcheck: 'false' })),
    h('button', { type: 'submit' }, 'Use token'),
  ], async ({ token }) => {
    if (!session.signIn(token ?? ''))
      throw new ApiError(400, { title: 'That is not a token', errors: { token: ['Paste the whole token: three parts separated by dots.'] } });
  });

  main.append(heading('Sign in to Backchannel'), h('div', { class: 'grid2' }, withHandle, withToken));
}
