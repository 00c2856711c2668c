// graphql-http's server audit (the GraphQL over HTTP spec's conformance checks) against
// houston-server. Every MUST has to pass; the SHOULDs and MAYs that are not met are
// printed, one JSON line each under a marker, for tests/node_clients.rs to compare with
// the list kept in README.md ("GraphQL over HTTP audit").
//
//   HOUSTON_URL=http://127.0.0.1:PORT/graphql node audit.mjs

import { auditServer } from 'graphql-http';
import { houstonUrl, main, step } from './common.mjs';

const url = houstonUrl();

/** What a failing audit saw: status, content type and the start of the body. */
async function seen(response) {
  if (!response) return null;
  let body = null;
  try {
    body = (await response.clone().text()).slice(0, 300);
  } catch {
    // the audit read the body already
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body,
  };
}

await main('graphql-http audit', async () => {
  step(`auditServer({ url: ${url} })`);
  const results = await auditServer({ url });
  if (results.length < 30) throw new Error(`only ${results.length} audits ran`);

  const failed = { MUST: [], SHOULD: [], MAY: [] };
  let ok = 0;
  for (const r of results) {
    const level = r.name.split(' ')[0];
    if (!(level in failed)) throw new Error(`an audit of unknown level: ${r.name}`);
    if (r.status === 'ok') {
      ok += 1;
      continue;
    }
    // graphql-http marks a failed MUST `error`, a SHOULD `warn`, a MAY `notice`.
    failed[level].push({ id: r.id, name: r.name, status: r.status, reason: r.reason, response: await seen(r.response) });
  }
  console.log(`${results.length} audits: ${ok} met, ${failed.MUST.length} MUST, ${failed.SHOULD.length} SHOULD, ${failed.MAY.length} MAY not met`);
  for (const level of ['SHOULD', 'MAY']) {
    for (const f of failed[level]) {
      console.log(`UNMET ${level} ${JSON.stringify({ id: f.id, name: f.name, reason: f.reason, response: f.response })}`);
    }
  }

  step('every MUST passes');
  if (failed.MUST.length > 0) {
    for (const f of failed.MUST) console.error(`FAILED MUST ${JSON.stringify(f, null, 2)}`);
    throw new Error(`${failed.MUST.length} MUST audit(s) failed: ${failed.MUST.map((f) => f.id).join(', ')}`);
  }
  const errors = results.filter((r) => r.status === 'error');
  if (errors.length > 0) throw new Error(`audits failed as errors: ${errors.map((r) => r.name).join('; ')}`);
});
