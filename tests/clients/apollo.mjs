// Apollo Client (the seed's client-side recommendation), without React, with its
// normalized cache on: the seed's examples, then one whole pipeline, checking that
// objects are identified by `__typename` and `id` and that two queries reaching the
// same object share one cache entry.
//
//   HOUSTON_URL=http://127.0.0.1:PORT/graphql node apollo.mjs

import assert from 'node:assert/strict';
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  gql,
} from '@apollo/client/core';
import { SetContextLink } from '@apollo/client/link/context';
import { assertOk, email, houstonUrl, main, step } from './common.mjs';
import { runSeedExamples, signUpAndConfirm } from './seed.mjs';

const url = houstonUrl();

// Apollo reports cache trouble (a missing field, data about to be lost, a result it
// cannot write) as console warnings: any of them fails the script.
const apolloWarnings = [];
for (const level of ['warn', 'error']) {
  const original = console[level];
  console[level] = (...args) => {
    apolloWarnings.push(args.map(String).join(' '));
    original(...args);
  };
}

/** Every HTTP request the clients send, to tell cache reads from network reads. */
let requests = 0;
const countingFetch = (...args) => {
  requests += 1;
  return fetch(...args);
};

/** One client for one person: its own cache, the raw JWT added to every request. */
function makeClient(token) {
  const auth = new SetContextLink((prev) => ({
    headers: { ...prev.headers, ...(token ? { authorization: token } : {}) },
  }));
  return new ApolloClient({
    link: ApolloLink.from([auth, new HttpLink({ uri: url, fetch: countingFetch })]),
    cache: new InMemoryCache(),
  });
}

const clients = new Map();
function clientFor(token) {
  const key = token ?? '';
  if (!clients.has(key)) clients.set(key, makeClient(token));
  return clients.get(key);
}

/** Sends one operation with the client of `token`: `mutate` or `query` by its type. */
async function exec(document, { variables, token, org } = {}) {
  const doc = typeof document === 'string' ? gql(document) : document;
  const client = clientFor(token);
  const context = org ? { headers: { organization: org } } : undefined;
  const op = doc.definitions.find((d) => d.kind === 'OperationDefinition');
  const result =
    op.operation === 'mutation'
      ? await client.mutate({ mutation: doc, variables, context })
      : await client.query({ query: doc, variables, context, fetchPolicy: 'network-only' });
  assert.equal(result.error, undefined, `no error: ${result.error}`);
  return result.data;
}

const CONFIGS = gql`
  query Configs($a: String) {
    clickstreamConfigs(appId: $a) {
      id
      name
      enabled
      config
      connection {
        id
        name
        details
      }
    }
  }
`;

async function pipeline() {
  step('pipeline: the owner and the member sign up and confirm their emails');
  const ownerEmail = email('owner');
  const memberEmail = email('member');
  const owner = await signUpAndConfirm(exec, ownerEmail, 'owner-password-1');
  const member = await signUpAndConfirm(exec, memberEmail, 'member-password-1');

  step('pipeline: createToken answers __typename Token with a DecodedToken');
  let d = await exec(
    gql`
      mutation SignIn($u: String!, $p: String!) {
        createToken(username: $u, password: $p) {
          success
          token
          decoded {
            id
            exp
          }
        }
      }
    `,
    { variables: { u: ownerEmail, p: 'owner-password-1' } },
  );
  assert.equal(d.createToken.__typename, 'Token');
  assert.equal(d.createToken.decoded.__typename, 'DecodedToken');
  const ownerToken = assertOk(d.createToken, 'createToken').token;
  const ownerClient = clientFor(ownerToken);

  step('pipeline: create an organization (StatusMessage)');
  d = await exec(
    `mutation { createOrganization(name: "Apollo Org") { success message id code } }`,
    { token: ownerToken },
  );
  assert.equal(d.createOrganization.__typename, 'StatusMessage');
  const org = assertOk(d.createOrganization, 'createOrganization').id;

  step('pipeline: add a member');
  d = await exec(
    `mutation($o: String!, $e: String!) { updateOrganization(orgId: $o, addUser: {email: $e}) { success message code } }`,
    { variables: { o: org, e: memberEmail }, token: ownerToken },
  );
  assertOk(d.updateOrganization, 'updateOrganization(addUser)');
  // The member joins by accepting the invitation in the app (issue 12: consent).
  step('pipeline: the member accepts the invitation');
  d = await exec(`{ myInvitations { id organizationId } }`, { token: member.token });
  assert.equal(d.myInvitations[0].organizationId, org);
  d = await exec(
    `mutation($i: String) { acceptInvitation(invitationId: $i) { success message code } }`,
    { variables: { i: d.myInvitations[0].id }, token: member.token },
  );
  assertOk(d.acceptInvitation, 'acceptInvitation');
  const ORG = gql`
    query Org($o: ID) {
      organizations(orgId: $o) {
        id
        name
        myRole
        members {
          role
          user {
            id
            username
          }
        }
        applications {
          id
          name
        }
      }
    }
  `;
  d = await exec(ORG, { variables: { o: org }, token: ownerToken });
  const o = d.organizations[0];
  assert.equal(o.__typename, 'Organization');
  assert.equal(ownerClient.cache.identify(o), `Organization:${org}`);
  assert.deepEqual(
    o.members.map((m) => [m.__typename, m.role, m.user.__typename, m.user.username]).sort(),
    [
      ['Member', 'OWNER', 'User', ownerEmail],
      ['Member', 'USER', 'User', memberEmail],
    ].sort(),
  );

  step('pipeline: the member creates a source (organization header in the context)');
  d = await exec(
    `mutation($o: String!) { createApplication(name: "Mobile", platform: "analytics-ios", orgId: $o) { success id } }`,
    { variables: { o: org }, token: member.token },
  );
  const app = assertOk(d.createApplication, 'createApplication').id;
  d = await exec(`{ applications { id name platform } }`, { token: member.token, org });
  assert.deepEqual(d.applications, [
    { __typename: 'Application', id: app, name: 'Mobile', platform: 'analytics-ios' },
  ]);

  step('pipeline: the member creates a connection and an integration');
  d = await exec(`{ clickstreamPrototypes(code: "acquisio") { id code connectionPrototype { id } } }`, {
    token: member.token,
  });
  assert.equal(d.clickstreamPrototypes[0].__typename, 'ClickstreamPrototype');
  assert.equal(d.clickstreamPrototypes[0].connectionPrototype.__typename, 'ConnectionPrototype');
  const proto = d.clickstreamPrototypes[0].connectionPrototype.id;
  d = await exec(
    `mutation($o: String!, $p: String!, $d: JSON!) { createConnection(integrationCode: "acquisio", details: $d, name: "Acquisio", orgId: $o, connectionPrototypeId: $p) { success id } }`,
    { variables: { o: org, p: proto, d: { apiKey: 'k-123456789' } }, token: member.token },
  );
  const conn = assertOk(d.createConnection, 'createConnection').id;
  d = await exec(
    `mutation($a: String!, $c: String, $cfg: JSON!) { createIntegration(appId: $a, integrationCode: "acquisio", configPayload: $cfg, connectionId: $c, name: "Acquisio") { success id } }`,
    { variables: { a: app, c: conn, cfg: { events: ['Signed Up'] } }, token: member.token },
  );
  const integ = assertOk(d.createIntegration, 'createIntegration').id;

  step('cache: the integration is one normalized object');
  const memberClient = clientFor(member.token);
  d = await exec(CONFIGS, { variables: { a: app }, token: member.token });
  const first = d.clickstreamConfigs[0];
  assert.equal(first.__typename, 'ClickstreamConfig');
  assert.equal(first.connection.__typename, 'ConnectionConfig');
  assert.equal(first.connection.details, null, 'a User never reads connection details');
  assert.equal(memberClient.cache.identify(first), `ClickstreamConfig:${integ}`);
  let store = memberClient.cache.extract();
  assert.ok(store[`ClickstreamConfig:${integ}`], 'the integration has its own cache entry');
  assert.ok(store[`ConnectionConfig:${conn}`], 'the connection has its own cache entry');
  assert.ok(store[`Application:${app}`], 'the source has its own cache entry');
  const rootField = Object.keys(store.ROOT_QUERY).find((k) => k.startsWith('clickstreamConfigs'));
  assert.deepEqual(store.ROOT_QUERY[rootField], [{ __ref: `ClickstreamConfig:${integ}` }]);

  step('pipeline: the member updates the integration, then disables it');
  const UPDATE = gql`
    mutation Update($i: String!, $action: IntegrationActions!, $n: String, $cfg: JSON) {
      updateIntegration(integrationId: $i, action: $action, name: $n, configPayload: $cfg) {
        success
        message
        id
        code
      }
    }
  `;
  const updated = await exec(UPDATE, {
    variables: { i: integ, action: 'UPDATE', n: 'Acquisio (prod)', cfg: { events: ['Order Completed'] } },
    token: member.token,
  });
  assertOk(updated.updateIntegration, 'updateIntegration(UPDATE)');
  assert.equal(updated.updateIntegration.__typename, 'StatusMessage');
  const disabled = await exec(UPDATE, {
    variables: { i: integ, action: 'DISABLE' },
    token: member.token,
  });
  assertOk(disabled.updateIntegration, 'updateIntegration(DISABLE)');

  step('cache: another query that reaches the integration refreshes the first one');
  d = await exec(
    gql`
      query Router($a: String!) {
        sources(id: $a) {
          id
          clickstream {
            id
            name
            enabled
            config
          }
        }
      }
    `,
    { variables: { a: app }, token: member.token },
  );
  assert.equal(d.sources[0].__typename, 'Application');
  assert.equal(d.sources[0].clickstream[0].name, 'Acquisio (prod)');
  const before = requests;
  const cached = await memberClient.query({
    query: CONFIGS,
    variables: { a: app },
    fetchPolicy: 'cache-only',
  });
  assert.equal(requests, before, 'a cache-only read sends nothing');
  assert.deepEqual(
    {
      name: cached.data.clickstreamConfigs[0].name,
      enabled: cached.data.clickstreamConfigs[0].enabled,
      config: cached.data.clickstreamConfigs[0].config,
    },
    { name: 'Acquisio (prod)', enabled: false, config: { events: ['Order Completed'] } },
    'the first query, read from the cache, shows what the second one fetched',
  );
  const fromCache = memberClient.readQuery({ query: CONFIGS, variables: { a: app } });
  assert.equal(fromCache.clickstreamConfigs[0].name, 'Acquisio (prod)');
  store = memberClient.cache.extract();
  assert.equal(
    Object.keys(store).filter((k) => k.startsWith('ClickstreamConfig:')).length,
    1,
    'still one entry for the integration',
  );

  step('pipeline: read it back from the server, as the member and as the owner');
  d = await exec(CONFIGS, { variables: { a: app }, token: member.token });
  assert.deepEqual(d.clickstreamConfigs, [
    {
      __typename: 'ClickstreamConfig',
      id: integ,
      name: 'Acquisio (prod)',
      enabled: false,
      config: { events: ['Order Completed'] },
      connection: { __typename: 'ConnectionConfig', id: conn, name: 'Acquisio', details: null },
    },
  ]);
  d = await exec(CONFIGS, { variables: { a: app }, token: ownerToken });
  // Owners see no secret and no mask (secretsSet names it).
  assert.deepEqual(d.clickstreamConfigs[0].connection.details, {});

  step('cache: the organization, re-fetched, lists the source in its cached entry');
  d = await exec(ORG, { variables: { o: org }, token: ownerToken });
  assert.deepEqual(d.organizations[0].applications, [
    { __typename: 'Application', id: app, name: 'Mobile' },
  ]);
  const orgEntry = ownerClient.cache.extract()[`Organization:${org}`];
  assert.deepEqual(orgEntry.applications, [{ __ref: `Application:${app}` }]);

  step('errors: a query without a token rejects with CombinedGraphQLErrors');
  await assert.rejects(
    () => clientFor(undefined).query({ query: gql`{ me { id } }`, fetchPolicy: 'network-only' }),
    (e) => {
      assert.ok(CombinedGraphQLErrors.is(e), `CombinedGraphQLErrors: ${e}`);
      assert.equal(e.errors[0].extensions.code, 'UNAUTHENTICATED');
      return true;
    },
  );

  step('no Apollo warning was printed');
  assert.deepEqual(apolloWarnings, []);
}

await main('apollo', async () => {
  await runSeedExamples(exec);
  await pipeline();
});
