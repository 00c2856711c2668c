// The seed document's examples (shared/seed/houston-api.md), sent as written by the
// client under test. As in graphql/server/tests/seed.rs, only the seed's syntax slips
// are fixed (the doubled braces around `profile`, the missing `mutation {` around
// `createOrganization`, the quoted key in `configPayload`), and the placeholder ids
// ("123456", "1234567890", "456", "123") are replaced by the ids earlier steps returned.
//
// `exec(document, { variables, token })` sends one operation with the client under
// test (the raw JWT in `authorization` when `token` is given) and answers its `data`,
// throwing on GraphQL errors.

import assert from 'node:assert/strict';
import { assertOk, step } from './common.mjs';

export const CREATE_NEW_USER = `mutation {
  createNewUser(
    email: "someone.new@somewhere.com"
    password: "password_string"
    profile: {
        firstName: "Someone",
        lastName: "New",
        company: "My Company"
    }
  ) {
    success
    message
    token
    decoded {
      id
    }
  }
}`;

export const CREATE_TOKEN = `mutation createToken{
  createToken(username:"someone@somewhere.com", password:"password"){
    success
    message
    token
    decoded {
      id
    }
  }
}`;

export const CREATE_ORGANIZATION = `mutation {
createOrganization(
    name: "Human-friendly Organization Name"
    userId: "123456"
  ) {
    success
    message
    id
  }
}`;

export const CREATE_APPLICATION = `mutation {
  createApplication(
      name: "Human-friendly Source Name",
      platform: "analytics.js",
      orgId: "1234567890"
    ) {
      success
      message
      id
    }
}`;

export const CREATE_CONNECTION = `mutation {
  createConnection(
    integrationCode: "acquisio",
    details: {
      apiKey: "123"
    }
    name: "Friendly Connection Name"
    orgId: "1234567890"
    connectionPrototypeId: "123"
  ) {
    success
    message
    id
  }
}`;

export const CREATE_INTEGRATION = `mutation {
  createIntegration(
    appId: "456"
    integrationCode: "acquisio"
    configPayload:  {
          events : [
              "fvsbvsdfbsdfb"
          ]
    }
    connectionId: "123"
    name: "Friendly Application Name"
  ) {
    success
    message
    id
  }
}`;

/** Signs up `address` (Self Signup), confirms it through the mailed link, answers the
 * confirmed token and the user id. */
export async function signUpAndConfirm(exec, address, password, profile) {
  const created = await exec(
    `mutation($e: String!, $p: String!, $profile: UserProfileInput) {
      createNewUser(email: $e, password: $p, profile: $profile) { success message token decoded { id } }
    }`,
    { variables: { e: address, p: password, profile: profile ?? null } },
  );
  const pending = assertOk(created.createNewUser, 'createNewUser').token;
  const userId = created.createNewUser.decoded.id;
  const link = await mailToken(exec, pending, 'CONFIRM_EMAIL');
  const confirmed = await exec(
    `mutation($t: String!) { confirmEmail(token: $t) { success message token decoded { id } } }`,
    { variables: { t: link } },
  );
  assertOk(confirmed.confirmEmail, 'confirmEmail');
  assert.equal(confirmed.confirmEmail.decoded.id, userId, 'confirmEmail signs the same person in');
  assert.equal(confirmed.confirmEmail.token.split('.').length, 3, 'confirmEmail answers a JWT');
  return { token: confirmed.confirmEmail.token, userId };
}

/** The token of the newest mail of `kind` in the outbox of the signed-in (maybe pending) user. */
export async function mailToken(exec, token, kind) {
  const d = await exec(`{ myMail { id kind token } }`, { token });
  const mails = d.myMail.filter((m) => m.kind === kind);
  assert.ok(mails.length > 0, `a ${kind} mail in the outbox: ${JSON.stringify(d.myMail)}`);
  const t = mails[mails.length - 1].token;
  assert.equal(typeof t, 'string', `the ${kind} mail carries a link token`);
  return t;
}

/** Every example of the seed, in its order. */
export async function runSeedExamples(exec) {
  step('seed: "Creating a new User" (createNewUser with a profile)');
  let d = await exec(CREATE_NEW_USER);
  const t = assertOk(d.createNewUser, 'createNewUser');
  assert.equal(t.token.split('.').length, 3, `a JWT: ${t.token}`);
  assert.equal(typeof t.decoded.id, 'string');
  const newUserId = t.decoded.id;

  step('seed: the example account of "Requesting JWT Access" signs up and confirms');
  const someone = await signUpAndConfirm(exec, 'someone@somewhere.com', 'password');
  assert.notEqual(someone.userId, newUserId);

  step('seed: "Requesting JWT Access" (mutation createToken), verbatim');
  d = await exec(CREATE_TOKEN);
  assertOk(d.createToken, 'createToken');
  assert.equal(d.createToken.decoded.id, someone.userId);
  const token = d.createToken.token;

  step('seed: "Creating and Editing Organizations" (createOrganization)');
  d = await exec(CREATE_ORGANIZATION.replace('123456', someone.userId), { token });
  const org = assertOk(d.createOrganization, 'createOrganization').id;
  assert.equal(typeof org, 'string');
  d = await exec(`query($o: ID) { organizations(orgId: $o) { id name owners { id } } }`, {
    variables: { o: org },
    token,
  });
  assert.equal(d.organizations.length, 1, '"Query Response": an array even for one organization');
  assert.equal(d.organizations[0].name, 'Human-friendly Organization Name');
  assert.equal(d.organizations[0].owners[0].id, someone.userId, 'the creator is its Owner');

  step('seed: "Sources and Applications" (createApplication): a 21-character id');
  d = await exec(CREATE_APPLICATION.replace('1234567890', org), { token });
  const app = assertOk(d.createApplication, 'createApplication').id;
  assert.match(app, /^[A-Za-z0-9_-]{21}$/, `the seed's 21-character id: ${app}`);

  step('seed: "Destinations and Integrations": the form comes from clickstreamPrototypes');
  d = await exec(
    `{ clickstreamPrototypes(code: "acquisio") { id code connectionPrototype { id fields { propertyName label type } } configPrototype { propertyName label type } } }`,
    { token },
  );
  const acq = d.clickstreamPrototypes[0];
  assert.equal(acq.code, 'acquisio');
  assert.equal(acq.connectionPrototype.fields[0].propertyName, 'apiKey');
  assert.deepEqual(
    acq.configPrototype.map((f) => [f.propertyName, f.type]),
    [
      ['advertiserId', 'input'],
      ['events', 'array'],
    ],
    "the seed's words for types",
  );

  step('seed: createConnection');
  d = await exec(
    CREATE_CONNECTION.replace('1234567890', org).replace(
      'connectionPrototypeId: "123"',
      `connectionPrototypeId: "${acq.connectionPrototype.id}"`,
    ),
    { token },
  );
  const conn = assertOk(d.createConnection, 'createConnection').id;

  step('seed: createIntegration');
  d = await exec(
    CREATE_INTEGRATION.replace('"456"', `"${app}"`).replace('"123"', `"${conn}"`),
    { token },
  );
  assertOk(d.createIntegration, 'createIntegration');
  d = await exec(
    `query($a: String) { clickstreamConfigs(appId: $a) { id code config connection { id } } }`,
    { variables: { a: app }, token },
  );
  assert.equal(d.clickstreamConfigs.length, 1);
  assert.equal(d.clickstreamConfigs[0].code, 'acquisio');
  assert.deepEqual(d.clickstreamConfigs[0].config, { events: ['fvsbvsdfbsdfb'] });
  assert.equal(d.clickstreamConfigs[0].connection.id, conn);
}
