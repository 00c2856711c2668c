// What every script shares: the server's URL, a step log, the exit code, and the
// few helpers that are not about the client under test.

import assert from 'node:assert/strict';

/** The server under test: `HOUSTON_URL`, e.g. http://127.0.0.1:8871/graphql. */
export function houstonUrl() {
  const url = process.env.HOUSTON_URL;
  if (!url || !/^https?:\/\/[^/]+\/graphql$/.test(url)) {
    console.error(
      `HOUSTON_URL must be the server's GraphQL endpoint (http://HOST:PORT/graphql), got ${JSON.stringify(url)}`,
    );
    process.exit(2);
  }
  return url;
}

let current = '(start)';

/** Names the step being run, so that a failure says where it happened. */
export function step(name) {
  current = name;
  console.log(`- ${name}`);
}

/** Runs `body`; exits 0 when it finishes, 1 with the failing step and the error otherwise. */
export async function main(script, body) {
  try {
    await body();
  } catch (e) {
    console.error(`${script}: FAILED at step "${current}"`);
    console.error(e && e.stack ? e.stack : String(e));
    // Client errors carry the server's answer: print it, it is the useful part.
    for (const key of ['response', 'errors', 'result', 'cause']) {
      if (e && e[key] !== undefined) {
        try {
          console.error(`${key}: ${JSON.stringify(e[key], null, 2)}`);
        } catch {
          console.error(`${key}: ${String(e[key])}`);
        }
      }
    }
    process.exit(1);
  }
  console.log(`${script}: all checks passed`);
  process.exit(0);
}

/** RFC 3339 date-time, as Go's `time.Time` decodes it (`time.RFC3339` layout). */
export function assertRfc3339(value, what) {
  assert.equal(typeof value, 'string', `${what} is a string: ${JSON.stringify(value)}`);
  assert.match(
    value,
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
    `${what} is an RFC 3339 date-time`,
  );
  const ms = Date.parse(value);
  assert.ok(Number.isFinite(ms), `${what} parses: ${value}`);
  return ms;
}

/** A unique address for this run, so that scripts never collide on one database. */
export function email(name) {
  return `${name}-${process.pid}-${Date.now().toString(36)}@example.com`;
}

/** The success of a mutation's StatusMessage/Token, with the answer in the message. */
export function assertOk(result, what) {
  assert.ok(result, `${what}: an answer`);
  assert.equal(result.success, true, `${what} succeeds: ${JSON.stringify(result)}`);
  return result;
}
