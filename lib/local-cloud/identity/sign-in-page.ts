import type { LocalSignInPerson } from '#lib/local-cloud/identity/local-sign-in-people';

/** The sign-in request carried through the page's forms unchanged (checked again on submit). */
export interface SignInRequestFields {
  client_id: string;
  redirect_uri: string;
  state: string;
  scope: string;
  code_challenge: string;
  code_challenge_method: string;
  nonce?: string;
}

export const LOGIN_PATH = '/login';

/**
 * The local cloud's sign-in page, in place of Cognito's hosted sign-in: one button per seeded
 * person, grouped by business, and a plain statement that there is no password locally.
 */
export function signInPage(people: readonly LocalSignInPerson[], request: SignInRequestFields): string {
  const hidden = Object.entries(request)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(String(v))}">`)
    .join('');
  const businesses = [...new Set(people.map((p) => p.businessId))];
  const sections = businesses
    .map((business) => {
      const items = people
        .filter((p) => p.businessId === business)
        .map(
          (p) =>
            `<li><form method="post" action="${LOGIN_PATH}">${hidden}<input type="hidden" name="person" value="${escapeHtml(p.subject)}">` +
            `<button type="submit" data-person="${escapeHtml(p.subject)}"><span class="name">${escapeHtml(p.name)}</span>` +
            `<span class="who">${escapeHtml(p.description ?? p.roles.join(', '))} · ${escapeHtml(p.subject)}</span></button></form></li>`,
        )
        .join('');
      return `<section aria-labelledby="b-${escapeHtml(business)}"><h2 id="b-${escapeHtml(business)}">Business <code>${escapeHtml(business)}</code></h2><ul>${items}</ul></section>`;
    })
    .join('');
  return page(
    'Sign in: local cloud',
    `<h1>Sign in to the agent console</h1>
<p class="notice"><strong>Local cloud: there is no password here.</strong> Choose who you are. In AWS this page is Cognito's hosted sign-in, with passwords and, for admins, an authenticator app.</p>
${sections}`,
  );
}

export function errorPage(message: string): string {
  return page('Sign-in error: local cloud', `<h1>The sign-in cannot go on</h1><p role="alert">${escapeHtml(message)}</p>`);
}

function page(title: string, main: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#14202b}
main{max-width:40rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.5rem}
.notice{background:#fff6d6;border:1px solid #8a6d00;padding:.75rem 1rem;border-radius:6px}
ul{list-style:none;padding:0}li{margin:.5rem 0}form{margin:0}
button{width:100%;text-align:left;padding:.75rem 1rem;border:1px solid #44546a;border-radius:6px;background:#fff;color:#14202b;font:inherit;cursor:pointer}
button:hover{background:#e8eef5}button:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}
.name{display:block;font-weight:600}.who{display:block;color:#3d4a57;font-size:.9rem}
</style></head>
<body><main>${main}</main></body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
