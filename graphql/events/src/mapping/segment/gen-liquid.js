// Records Segment's answers for the @liquid tests: see README.md beside this file.
// Runs actions-core's mapping-kit `transform(mapping, event)` on every mapping of
// liquid.json × every event of events.json; prints {cases}: each case {mapping, answers},
// an answer {ok: payload} or {error: true} (liquidjs's messages are not compared: they
// carry its own line and column format).
const fs = require('fs')
const { transform } = require('@segment/actions-core/mapping-kit')
const [eventsFile, mappingsFile] = process.argv.slice(2)
const sorted = (v) => {
  if (Array.isArray(v)) return v.map(sorted)
  if (v === null || typeof v !== 'object') return v
  const out = {}
  for (const k of Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) out[k] = sorted(v[k])
  return out
}
const events = JSON.parse(fs.readFileSync(eventsFile, 'utf8')).map(sorted)
const answer = (mapping, event) => {
  try {
    const out = transform(sorted(mapping), JSON.parse(JSON.stringify(event)))
    return { ok: out === undefined ? null : JSON.parse(JSON.stringify(out)) }
  } catch (e) {
    return { error: true }
  }
}
const cases = JSON.parse(fs.readFileSync(mappingsFile, 'utf8')).map((mapping) => ({
  mapping,
  answers: events.map((event) => answer(mapping, event))
}))
const json = JSON.stringify({ cases }).replace(/(?<!\\)((?:\\\\)*)\\u(d[89a-f][0-9a-f]{2})/g, '$1\\\\u$2')
process.stdout.write(json + '\n')
