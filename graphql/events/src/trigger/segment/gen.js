// Records Segment's answers for the trigger tests: see README.md beside this file.
// Runs Segment's parseFql + validate on each trigger (one per line of the first file, or
// the catalog's defaults) against each event of events.json; prints {events, cases}.
const fs = require('fs')
const { parseFql, validate } = require('@segment/destination-subscriptions')
const [triggersFile, eventsFile] = process.argv.slice(2)
let triggers = fs.readFileSync(triggersFile, 'utf8')
triggers = triggersFile.endsWith('.json')
  ? [...new Set(JSON.parse(triggers).flatMap(d => d.actions).map(a => a.defaultSubscription).filter(Boolean))]
  : triggers.split('\n').slice(0, -1)
const events = JSON.parse(fs.readFileSync(eventsFile, 'utf8'))
const cases = triggers.map(fql => {
  const ast = parseFql(fql)
  if (ast.error) return { fql, error: ast.error.message }
  const matches = events.map(event => { try { return validate(ast, event) } catch (e) { return 'throws' } })
  return { fql, ast: JSON.parse(JSON.stringify(ast)), matches }
})
// JSON.stringify escapes a lone surrogate (half a character) as \udxxx, which serde_json
// refuses; write it as that text instead, as Trigger::to_segment_json does.
const json = JSON.stringify({ events, cases }, null, 1).replace(/\\u(d[89a-f][0-9a-f]{2})/g, '\\\\u$1')
process.stdout.write(json + '\n')
