// The three requests the original clickstream event router (a Go service) sent to
// Houston, in their shape: documents with the values formatted in (no variables), a
// body of `{"query": …}` only, `Accept: application/json`, and the raw token in
// `authorization`. The answers are checked the way its Go structs decoded them:
// `decoded.exp` into a `time.Time` (so an RFC 3339 string), and `sources` into
// `[{ clickstream: [{ name, topic, enabled }] }]`, from which it kept the enabled ones.
//
//   HOUSTON_URL=http://127.0.0.1:PORT/graphql node event-router.mjs

import assert from 'node:assert/strict';
import { assertOk, assertRfc3339, email, houstonUrl, main, step } from './common.mjs';

const url = houstonUrl();

// The router's documents, with its %s placeholders and its indentation.
const querySources = `
\tquery sources {
\t  sources(id:"%s") {
\t\tclickstream{
\t      name
\t\t  topic: code
\t\t  enabled
\t\t}
\t  }
\t}`;

const createToken = `
\tmutation createToken {
\t  createToken(username:"%s", password:"%s") {
\t\tsuccess
\t\tmessage
\t\ttoken
\t    decoded{
\t      exp
\t    }
\t  }
\t}`;

const verifyToken = `
\tmutation VerifyUserToken {
\t  verifyToken(token: "%s"){
\t    success
\t    message
\t    decoded{
\t      exp
\t    }
\t  }
\t}`;

/** Go's fmt.Sprintf for `%s` only. */
function sprintf(template, ...values) {
  let i = 0;
  return template.replace(/%s/g, () => String(values[i++]));
}

/** The router's queryHouston: POST, JSON body `{query}`, Accept JSON, the raw token. */
async function queryHouston(query, authKey) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (authKey) headers.authorization = authKey;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  const text = await res.text();
  // Its HTTP client treats anything outside 2xx/3xx as a failure.
  assert.ok(res.status >= 200 && res.status < 400, `HTTP ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text);
  assert.equal(body.errors, undefined, `no errors: ${text}`);
  return body;
}

/** A plain GraphQL POST with variables, for setting the data up. */
async function gql(query, variables, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = token;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, `no errors: ${JSON.stringify(body)}`);
  return body.data;
}

async function confirmedUser(address, password) {
  const d = await gql(
    `mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { success token } }`,
    { e: address, p: password },
  );
  const pending = assertOk(d.createNewUser, 'createNewUser').token;
  const mail = await gql(`{ myMail { kind token } }`, {}, pending);
  const link = mail.myMail.find((m) => m.kind === 'CONFIRM_EMAIL').token;
  const c = await gql(`mutation($t: String!) { confirmEmail(token: $t) { success token } }`, { t: link });
  return assertOk(c.confirmEmail, 'confirmEmail').token;
}

await main('event-router', async () => {
  step('setup: an organization with a source, two integrations (one disabled), and the router as a member');
  const owner = await confirmedUser(email('owner'), 'owner-password-1');
  const routerUser = email('router');
  const routerPassword = 'router-password-1';
  const router = await confirmedUser(routerUser, routerPassword);
  let d = await gql(`mutation { createOrganization(name: "Routed") { success id } }`, {}, owner);
  const org = assertOk(d.createOrganization, 'createOrganization').id;
  d = await gql(
    `mutation($o: String!, $e: String!) { updateOrganization(orgId: $o, addUser: {email: $e, role: USER}) { success } }`,
    { o: org, e: routerUser },
    owner,
  );
  assertOk(d.updateOrganization, 'updateOrganization(addUser)');
  // The router's account joins by accepting the invitation (issue 12: consent).
  d = await gql(`{ myInvitations { id } }`, {}, router);
  d = await gql(
    `mutation($i: String) { acceptInvitation(invitationId: $i) { success } }`,
    { i: d.myInvitations[0].id },
    router,
  );
  assertOk(d.acceptInvitation, 'acceptInvitation');
  d = await gql(
    `mutation($o: String!) { createApplication(name: "Web", platform: "analytics.js", orgId: $o) { success id } }`,
    { o: org },
    owner,
  );
  const app = assertOk(d.createApplication, 'createApplication').id;
  d = await gql(
    `mutation($o: String!) { createConnection(integrationCode: "acquisio", details: {apiKey: "k-123456789"}, name: "Acq", orgId: $o, connectionPrototypeId: "acquisio") { success id } }`,
    { o: org },
    owner,
  );
  const conn = assertOk(d.createConnection, 'createConnection').id;
  const integrate = async (name) => {
    const r = await gql(
      `mutation($a: String!, $c: String, $n: String!) { createIntegration(appId: $a, integrationCode: "acquisio", configPayload: {events: ["Signed Up"]}, connectionId: $c, name: $n) { success id } }`,
      { a: app, c: conn, n: name },
      owner,
    );
    return assertOk(r.createIntegration, 'createIntegration').id;
  };
  await integrate('Acquisio');
  const off = await integrate('Acquisio (paused)');
  d = await gql(
    `mutation($i: String!) { updateIntegration(integrationId: $i, action: DISABLE) { success } }`,
    { i: off },
    owner,
  );
  assertOk(d.updateIntegration, 'updateIntegration(DISABLE)');

  step('router: createToken, with decoded { exp } as a time');
  const before = Date.now();
  const created = await queryHouston(sprintf(createToken, routerUser, routerPassword), '');
  const ct = created.data.createToken;
  assertOk(ct, 'createToken');
  assert.equal(typeof ct.message, 'string');
  assert.equal(typeof ct.token, 'string');
  assert.equal(ct.token.split('.').length, 3, 'a JWT');
  const exp = assertRfc3339(ct.decoded.exp, 'createToken decoded.exp');
  const day = 24 * 3600 * 1000;
  assert.ok(
    Math.abs(exp - (before + day)) < 5 * 60 * 1000,
    `the token expires in 24 hours: ${ct.decoded.exp}`,
  );
  const token = ct.token;

  step('router: verifyToken is a mutation, and answers the same exp');
  const verified = await queryHouston(sprintf(verifyToken, token), '');
  const vt = verified.data.verifyToken;
  assertOk(vt, 'verifyToken');
  assert.equal(typeof vt.message, 'string');
  assert.equal(assertRfc3339(vt.decoded.exp, 'verifyToken decoded.exp'), exp);

  step('router: verifyToken of a token that is not valid answers success false (the router then signs in again)');
  const bad = await queryHouston(sprintf(verifyToken, 'not.a.token'), '');
  assert.equal(bad.data.verifyToken.success, false);
  assert.equal(typeof bad.data.verifyToken.message, 'string');

  step('router: sources(id:) with clickstream { name topic: code enabled }, the raw token in authorization');
  const sources = await queryHouston(sprintf(querySources, app), token);
  assert.ok(Array.isArray(sources.data.sources), 'sources is a list');
  assert.equal(sources.data.sources.length, 1);
  for (const src of sources.data.sources) {
    assert.deepEqual(Object.keys(src), ['clickstream']);
    for (const cs of src.clickstream) {
      assert.deepEqual(Object.keys(cs), ['name', 'topic', 'enabled']);
      assert.equal(typeof cs.name, 'string');
      assert.equal(typeof cs.topic, 'string');
      assert.equal(typeof cs.enabled, 'boolean');
    }
  }
  // GetIntegrations: the first enabled integration of each name, name -> topic.
  const integrations = {};
  for (const src of sources.data.sources) {
    for (const cs of src.clickstream) {
      if (cs.enabled && !integrations[cs.name]) integrations[cs.name] = cs.topic;
    }
  }
  assert.deepEqual(integrations, { Acquisio: 'acquisio' }, 'the enabled integration, by name, to its topic');

  step('router: the same lookup with an API key in authorization (its HOUSTON_API_KEY setting)');
  d = await gql(
    `mutation($o: String!) { createApiKey(orgId: $o, label: "event router", role: USER) { success key } }`,
    { o: org },
    owner,
  );
  const key = `service:${assertOk(d.createApiKey, 'createApiKey').key}`;
  const byKey = await queryHouston(sprintf(querySources, app), key);
  assert.deepEqual(byKey.data.sources, sources.data.sources);

  step('router: an unknown source id answers an empty list, not an error');
  const none = await queryHouston(sprintf(querySources, 'AAAAAAAAAAAAAAAAAAAAA'), token);
  assert.deepEqual(none.data.sources, []);
});
