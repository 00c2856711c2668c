// graphql-request (the seed's recommendation for Node.js) against houston-server:
// the seed's examples, then one whole pipeline, with the raw JWT in `authorization`.
//
//   HOUSTON_URL=http://127.0.0.1:PORT/graphql node graphql-request.mjs

import assert from 'node:assert/strict';
import { GraphQLClient, ClientError, batchRequests, gql, rawRequest } from 'graphql-request';
import { assertOk, email, houstonUrl, main, step } from './common.mjs';
import { runSeedExamples, signUpAndConfirm } from './seed.mjs';

const url = houstonUrl();

/** A client acting as the holder of `token` (none: anonymous), for `org` (optional). */
function client(token, org) {
  const headers = {};
  if (token) headers.authorization = token; // the raw JWT, as the original clients send it
  if (org) headers.organization = org;
  return new GraphQLClient(url, { headers });
}

/** The seed scripts' way of sending one operation. */
async function exec(document, { variables, token } = {}) {
  return client(token).request(document, variables);
}

async function pipeline() {
  step('pipeline: the owner signs up and confirms the email');
  const ownerEmail = email('owner');
  const owner = await signUpAndConfirm(exec, ownerEmail, 'owner-password-1', {
    firstName: 'Olive',
    lastName: 'Owner',
    company: 'Pipelines Inc',
  });
  step('pipeline: the member signs up and confirms the email');
  const memberEmail = email('member');
  const member = await signUpAndConfirm(exec, memberEmail, 'member-password-1');

  step('pipeline: the owner signs in with createToken');
  let d = await client().request(
    gql`
      mutation ($u: String!, $p: String!) {
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
    { u: ownerEmail, p: 'owner-password-1' },
  );
  assertOk(d.createToken, 'createToken');
  assert.equal(d.createToken.decoded.id, owner.userId);
  const ownerClient = client(d.createToken.token);

  step('pipeline: create an organization');
  d = await ownerClient.request(
    gql`
      mutation ($n: String!) {
        createOrganization(name: $n) {
          success
          message
          id
          code
        }
      }
    `,
    { n: 'Pipelines Inc' },
  );
  const org = assertOk(d.createOrganization, 'createOrganization').id;
  assert.equal(d.createOrganization.code, 'OK');

  step('pipeline: add a member');
  d = await ownerClient.request(
    gql`
      mutation ($o: String!, $e: String!) {
        updateOrganization(orgId: $o, addUser: { email: $e, role: USER }) {
          success
          message
          code
        }
      }
    `,
    { o: org, e: memberEmail },
  );
  assertOk(d.updateOrganization, 'updateOrganization(addUser)');

  // The member joins by accepting the invitation in the app (issue 12: consent).
  step('pipeline: the member accepts the invitation');
  const invitedClient = client(member.token);
  d = await invitedClient.request(gql`
    {
      myInvitations {
        id
        organizationId
        role
      }
    }
  `);
  assert.equal(d.myInvitations.length, 1);
  assert.equal(d.myInvitations[0].organizationId, org);
  assert.equal(d.myInvitations[0].role, 'USER');
  d = await invitedClient.request(
    gql`
      mutation ($i: String) {
        acceptInvitation(invitationId: $i) {
          success
          message
          code
        }
      }
    `,
    { i: d.myInvitations[0].id },
  );
  assertOk(d.acceptInvitation, 'acceptInvitation');
  d = await ownerClient.request(
    gql`
      query ($o: ID) {
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
        }
      }
    `,
    { o: org },
  );
  assert.equal(d.organizations.length, 1);
  assert.equal(d.organizations[0].myRole, 'OWNER');
  const roles = Object.fromEntries(d.organizations[0].members.map((m) => [m.user.id, m.role]));
  assert.deepEqual(roles, { [owner.userId]: 'OWNER', [member.userId]: 'USER' });

  // From here on the member works, for the organization named in the header.
  const memberClient = client(member.token, org);

  step('pipeline: the member creates a source');
  d = await memberClient.request(
    gql`
      mutation ($o: String!) {
        createApplication(name: "Storefront", platform: "analytics.js", orgId: $o) {
          success
          id
        }
      }
    `,
    { o: org },
  );
  const app = assertOk(d.createApplication, 'createApplication').id;
  assert.match(app, /^[A-Za-z0-9_-]{21}$/);
  d = await memberClient.request(gql`
    {
      applications {
        id
        name
        platform
      }
    }
  `);
  assert.deepEqual(
    d.applications,
    [{ id: app, name: 'Storefront', platform: 'analytics.js' }],
    'the organization header scopes applications',
  );

  step('pipeline: the member creates a connection (a bad one first)');
  d = await memberClient.request(gql`
    {
      clickstreamPrototypes(code: "acquisio") {
        connectionPrototype {
          id
        }
      }
    }
  `);
  const proto = d.clickstreamPrototypes[0].connectionPrototype.id;
  const createConnection = gql`
    mutation ($o: String!, $p: String!, $d: JSON!) {
      createConnection(integrationCode: "acquisio", details: $d, name: "Acquisio", orgId: $o, connectionPrototypeId: $p) {
        success
        id
        code
        fieldErrors {
          propertyName
          message
        }
      }
    }
  `;
  d = await memberClient.request(createConnection, { o: org, p: proto, d: {} });
  assert.equal(d.createConnection.success, false);
  assert.equal(d.createConnection.code, 'INVALID_INPUT');
  assert.equal(d.createConnection.fieldErrors[0].propertyName, 'apiKey');
  d = await memberClient.request(createConnection, { o: org, p: proto, d: { apiKey: 'k-123456789' } });
  const conn = assertOk(d.createConnection, 'createConnection').id;

  step('pipeline: the member creates an integration');
  d = await memberClient.request(
    gql`
      mutation ($a: String!, $c: String, $cfg: JSON!) {
        createIntegration(appId: $a, integrationCode: "acquisio", configPayload: $cfg, connectionId: $c, name: "Acquisio") {
          success
          id
        }
      }
    `,
    { a: app, c: conn, cfg: { events: ['Signed Up'] } },
  );
  const integ = assertOk(d.createIntegration, 'createIntegration').id;

  step('pipeline: the member updates the integration, then disables it');
  const updateIntegration = gql`
    mutation ($i: String!, $action: IntegrationActions!, $n: String, $cfg: JSON) {
      updateIntegration(integrationId: $i, action: $action, name: $n, configPayload: $cfg) {
        success
        id
        code
      }
    }
  `;
  d = await memberClient.request(updateIntegration, {
    i: integ,
    action: 'UPDATE',
    n: 'Acquisio (prod)',
    cfg: { events: ['Signed Up', 'Order Completed'], advertiserId: '42' },
  });
  assertOk(d.updateIntegration, 'updateIntegration(UPDATE)');
  d = await memberClient.request(updateIntegration, { i: integ, action: 'DISABLE' });
  assertOk(d.updateIntegration, 'updateIntegration(DISABLE)');

  step('pipeline: read it back, as the member and as the owner');
  const readBack = gql`
    query ($a: String) {
      clickstreamConfigs(appId: $a) {
        id
        name
        code
        enabled
        config
        application {
          id
        }
        connection {
          id
          name
          details
        }
      }
    }
  `;
  d = await memberClient.request(readBack, { a: app });
  assert.deepEqual(d.clickstreamConfigs, [
    {
      id: integ,
      name: 'Acquisio (prod)',
      code: 'acquisio',
      enabled: false,
      config: { events: ['Signed Up', 'Order Completed'], advertiserId: '42' },
      application: { id: app },
      connection: { id: conn, name: 'Acquisio', details: null },
    },
  ]);
  d = await ownerClient.request(readBack, { a: app });
  assert.deepEqual(
    d.clickstreamConfigs[0].connection.details,
    {},
    'Owners see no secret and no mask (secretsSet names it)',
  );

  step('errors: a query without a token is a ClientError with extensions.code');
  await assert.rejects(
    () => client().request(`{ me { id } }`),
    (e) => {
      assert.ok(e instanceof ClientError, `a ClientError: ${e}`);
      assert.equal(e.response.errors[0].extensions.code, 'UNAUTHENTICATED');
      assert.deepEqual(e.response.errors[0].path, ['me']);
      return true;
    },
  );

  step('rawRequest: status, content type and data');
  const raw = await rawRequest({
    url,
    query: `query($a: String!) { sources(id: $a) { id clickstream { name enabled } } }`,
    variables: { a: app },
    requestHeaders: { authorization: owner.token },
  });
  assert.equal(raw.status, 200);
  assert.match(raw.headers.get('content-type'), /^application\/(graphql-response\+)?json/);
  assert.deepEqual(raw.data.sources, [
    { id: app, clickstream: [{ name: 'Acquisio (prod)', enabled: false }] },
  ]);

  step('batchRequests: two operations in one request');
  const batch = await batchRequests({
    url,
    documents: [
      { document: `{ healthcheck }` },
      { document: `query($o: ID) { organizations(orgId: $o) { name } }`, variables: { o: org } },
    ],
    requestHeaders: { authorization: member.token },
  });
  assert.equal(batch.length, 2);
  assert.match(batch[0].data.healthcheck, /ok/);
  assert.equal(batch[1].data.organizations[0].name, 'Pipelines Inc');
}

await main('graphql-request', async () => {
  await runSeedExamples(exec);
  await pipeline();
});
