// The demo: an app's page with <notification-inbox> in its header and <notification-preferences> in its
// settings, both from @notification-api/inbox. The token comes in the address's fragment (/demo#token=…),
// which browsers never send to the server.
import '@notification-api/inbox';
import { createNotificationClient, GraphQLRequestError } from '@notification-api/client';
import { setUpPushButton } from './push.js';

const token = new URLSearchParams(location.hash.slice(1)).get('token');
const persisted = document.querySelector<HTMLMetaElement>('meta[name="persisted-operations"]')?.content !== 'off';
const inbox = document.getElementById('inbox')!;
const preferences = document.getElementById('preferences')!;
const problem = document.getElementById('problem')!;

function showProblem(error: unknown) {
  const code = error instanceof GraphQLRequestError ? error.code : 'ERROR';
  const hint = code === 'UNAUTHENTICATED' ? ' (is the token in the address current? npm start prints a new one)' : '';
  problem.textContent = `${code}: ${error instanceof Error ? error.message : String(error)}${hint}`;
  problem.hidden = false;
}

/** The user's initials, from the token's subject (shown only; the server checks the token). */
function initials(jwt: string): string {
  try {
    const { sub } = JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string };
    const avatar = document.getElementById('avatar')!;
    avatar.setAttribute('aria-label', `Signed in as ${sub}`);
    return (sub ?? '?')
      .replace(/[^a-z0-9]/gi, ' ')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .map((part) => part[0]!.toUpperCase())
      .join('');
  } catch {
    return '?';
  }
}

if (token) {
  document.getElementById('avatar')!.textContent = initials(token);
  for (const element of [inbox, preferences]) {
    Object.assign(element, { persisted, token });
  }
  // The tab's title counts what the badge counts.
  const title = document.title;
  inbox.addEventListener('notification-counts', (event) => {
    const { unseen } = event.detail;
    document.title = unseen > 0 ? `(${unseen}) ${title}` : title;
  });
  // Web Push on this device, when the browser can and the server has push on (client/demo/push.ts).
  const client = createNotificationClient({ url: '', token, persisted });
  setUpPushButton(client, document.getElementById('notify-me') as HTMLButtonElement, showProblem).catch(showProblem);
} else {
  showProblem(new Error('no token: open this page as /demo#token=<JWT> (npm start prints the address)'));
}
window.addEventListener('unhandledrejection', (event) => showProblem(event.reason));
