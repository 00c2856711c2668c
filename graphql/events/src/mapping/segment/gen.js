// Records Segment's answers for the mapping tests: see README.md beside this file.
// Runs actions-core's mapping-kit `transform(mapping, event)` on
// - every hand-written mapping of mappings.json × every event of events.json, and
// - every action's default mapping (its fields' `defaultMapping`s in one object, identical
//   ones once) of the catalog × the events named by CATALOG_EVENTS below;
// prints {events, cases}: each case {mapping or action ("destination/action" of the
// catalog), events (indexes), answers}, an answer
// {ok: payload} or {error: [messages]} (a validation error's messages, one per problem).
const fs = require('fs')
const { transform } = require('@segment/actions-core/mapping-kit')
const [catalogFile, eventsFile, mappingsFile] = process.argv.slice(2)

// A serde_json object is sorted by key (bytewise): give Segment the same order.
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
    const errors = typeof e[Symbol.iterator] === 'function' ? [...e] : [e]
    return { error: errors.map((x) => x.message) }
  }
}
const all = events.map((_, i) => i)
// The catalog's defaults over a representative subset, to keep the file small: an Order
// Completed with products and a full context, an identify with every spec trait, and a
// track whose values are all falsy (0, false, null, "", [], {}).
const CATALOG_EVENTS = [36, 42, 51]
const cases = JSON.parse(fs.readFileSync(mappingsFile, 'utf8')).map((mapping) => ({ mapping, events: all }))
const seen = new Set()
for (const destination of JSON.parse(fs.readFileSync(catalogFile, 'utf8'))) {
  for (const action of destination.actions) {
    const mapping = {}
    for (const field of action.fields) {
      if (field.defaultMapping !== undefined) mapping[field.propertyName] = JSON.parse(field.defaultMapping)
    }
    const key = JSON.stringify(sorted(mapping))
    if (seen.has(key)) continue
    seen.add(key)
    // The test rebuilds the mapping from the catalog, by the same rule.
    cases.push({ action: `${destination.code}/${action.code}`, mapping, events: CATALOG_EVENTS })
  }
}
for (const c of cases) c.answers = c.events.map((i) => answer(c.mapping, events[i]))
for (const c of cases) if (c.action) delete c.mapping
// JSON.stringify escapes a lone surrogate (half a character, e.g. "😀"[0]) as \udxxx,
// which serde_json refuses; write it as that text instead, as mapping.rs does.
// (Only an escape: an even run of backslashes before it is text.)
const json = JSON.stringify({ events, cases }).replace(/(?<!\\)((?:\\\\)*)\\u(d[89a-f][0-9a-f]{2})/g, '$1\\\\u$2')
process.stdout.write(json + '\n')
