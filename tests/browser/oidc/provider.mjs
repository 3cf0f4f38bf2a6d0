// A real OpenID Connect provider for Pantau's browser login tests: panva/oidc-provider (the
// certified Node.js implementation) with one static client and a few accounts.
//
//   node provider.mjs CONFIG.json      -> prints "READY http://127.0.0.1:<port>" once it listens
//
// CONFIG.json (written by tests/browser/oidc_provider.py):
//   { "port": 0,                                    0: any free loopback port
//     "client": { "client_id", "client_secret", "redirect_uris": [...],
//                 "post_logout_redirect_uris": [...] },
//     "accounts": { "<login>": { "password": "...", "claims": { "email": ..., "email_verified": ...,
//                                                              "name": ... } } } }
//
// Everything the library does is its own: discovery, JWKS, authorization with PKCE and nonce,
// the code exchange, signed ID tokens, refusing unknown prompt values, RP-initiated logout.
// Only the pages a person sees are ours (the library's own dev pages load web fonts, and this
// machine is offline): a login form that checks the password, and the logout confirmation.
// Consent is given automatically: Pantau is the regency's own (first-party) client.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts;

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

const server = createServer();
await new Promise((resolve) => server.listen(config.port || 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...config.client,
  }],
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id].claims }) };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Streamlit reads the person from the ID token only (it does not call the userinfo endpoint),
  // as with Keycloak, whose ID tokens carry email, email_verified and name.
  conformIdTokenClaims: false,
  cookies: { keys: ['pantau-test-oidc-cookie-key'] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}<button autofocus type="submit" form="op.logoutForm" value="yes"
          name="logout">Yes, sign me out</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<pre>${esc(JSON.stringify(out, null, 2))}</pre>`);
  },
});

const callback = provider.callback();

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (action === 'login' && req.method === 'POST') {
    const form = await readForm(req);
    const account = Object.hasOwn(accounts, form.login) ? accounts[form.login] : undefined;
    if (account && account.password === form.password) {
      await provider.interactionFinished(req, res, { login: { accountId: form.login } }, { mergeWithLastSubmission: false });
      return;
    }
  }
  if (details.prompt.name !== 'login') {
    // consent is loaded by loadExistingGrant; any other prompt is not part of these tests
    res.writeHead(501).end('not implemented');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(page('Sign in', `<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
    <label>Login <input name="login" autofocus></label>
    <label>Password <input name="password" type="password"></label>
    <button type="submit">Sign in</button></form>`));
}

server.on('request', (req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(req.url.split('?')[0]);
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(req, res, match[1], match[2]).catch((err) => {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
  });
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(`READY ${issuer}`);
