// A real OpenID provider for the browser tests: the certified `oidc-provider` package on 127.0.0.1.
//
// Usage: CLIENT_SECRET=... node oidc_provider.mjs PORT APP_URL...
// Every APP_URL (a test server of the app) is registered on the static client "dialogue" (secret
// CLIENT_SECRET) with its callback and logout addresses. The login page asks for an e-mail address, which
// is the account (any address is one, as with the package's own development login), and whether
// the provider checked a second factor (then amr carries "mfa"). Consent is given beforehand, as
// an organisation does for its own applications.
//
// Two accounts misbehave on purpose, so the app's checks meet real signed tokens that are wrong:
// an address ending in "#other-audience" gets an ID token issued for the client "another-app",
// one ending in "#expired" an ID token that expired an hour ago (as from a provider whose clock
// is two hours slow).
import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

const [port, ...appUrls] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const { CLIENT_SECRET } = process.env;

const signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'dialogue',
      client_secret: CLIENT_SECRET,
      redirect_uris: appUrls.map((url) => `${url}/login/oidc/callback`),
      post_logout_redirect_uris: appUrls.map((url) => `${url}/`),
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'another-app',
      client_secret: CLIENT_SECRET,
      redirect_uris: ['http://127.0.0.1/another-app'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [{ ...signingKey, use: 'sig', kid: 'test-key' }] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: { openid: ['sub', 'acr', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
  // The scopes' claims go into the ID token itself, as municipal providers (Entra ID) put them.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const [email] = id.split('#');
    return {
      accountId: id,
      claims: async () => ({ sub: id, email, email_verified: true, name: email }),
    };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
});

// The faults of the misbehaving accounts, applied when their ID token is signed.
const issue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function faultyIssue(options) {
  const fault = String(this.available.sub).split('#')[1];
  if (fault === 'other-audience') {
    this.client = await provider.Client.find('another-app');
  }
  if (fault !== 'expired') {
    return issue.call(this, options);
  }
  const now = Date.now;
  Date.now = () => now() - 2 * 3600 * 1000; // ID tokens live an hour
  try {
    return await issue.call(this, options);
  } finally {
    Date.now = now;
  }
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider</title></head>
<body><main><h1>Test provider: sign in</h1>
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="email">E-mail</label> <input id="email" name="email" required>
<label><input type="checkbox" name="mfa" value="1"> Second factor checked</label>
<button type="submit">Sign in</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Cancel</button></form>
</main></body></html>`;
}

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

async function interaction(req, res) {
  const [, , uid, action] = new URL(req.url, issuer).pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid));
    return;
  }
  const form = await formBody(req);
  let result;
  if (action === 'abort') {
    result = { error: 'access_denied', error_description: 'cancelled by the user' };
  } else {
    const mfa = form.get('mfa') === '1';
    result = {
      login: {
        accountId: form.get('email'),
        amr: mfa ? ['pwd', 'mfa'] : ['pwd'],
        acr: mfa ? 'urn:test:loa:high' : 'urn:test:loa:low',
      },
    };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  } else {
    callback(req, res);
  }
}).listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
