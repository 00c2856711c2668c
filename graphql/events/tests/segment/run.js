// Segment's own code on the inputs houston-events is compared with (tests/segment.rs) or
// timed against (benches/segment.rs): `@segment/actions-core`'s mapping-kit `transform` and
// `@segment/destination-subscriptions`' `parseFql` + `validate`, the versions package.json
// pins. One process for a whole run.
//
// stdin, JSON lines: first `{"events": [...]}`, then any number of `{"mapping": {...}}` or
// `{"trigger": "fql"}`. stdout: one line per mapping or trigger, in order:
// - a mapping: `{"answers": [a, …]}`, one per event, `{"ok": payload}` or
//   `{"error": [messages]}` (one message per problem of a failed validation);
// - a trigger: `{"ast": tree, "matches": [true | false | "throws", …]}` or `{"error": message}`;
// - `{"required": {"fields": [catalog fields], "payloads": [...]}}`: `{"missing": [[path, …], …]}`,
//   per payload the fields ajv finds missing (`required` errors, `parent.0.child`) against the
//   schema actions-core builds from the action's fields (`fieldsToJsonSchema`).
//
// With `--bench SECONDS`, nothing is compared: it maps every event with every mapping
// (then matches every trigger on every event) over and over for about SECONDS each, and
// prints one line `{"mappings": {...}, "triggers": {...}}` with the evaluations done, the
// time taken and, for mappings, the time of one pass of every mapping over one event.
const readline = require('readline')
const { transform } = require('@segment/actions-core/mapping-kit')
const { parseFql, validate } = require('@segment/destination-subscriptions')
const { fieldsToJsonSchema } = require('@segment/actions-core')
const Ajv = require('ajv')
const addFormats = require('ajv-formats')

// actions-core's schema-validation.js options (its own ajv instance is not exported).
const ajv = addFormats(new Ajv({ coerceTypes: 'array', allErrors: true, allowUnionTypes: true, verbose: true, removeAdditional: true }))
ajv.addFormat('text', true)
ajv.addFormat('date-like', () => true)

// The catalog's field (graphql/server/catalog) as the action's definition had it: a
// conditional `required` is the catalog's `requiredIf`.
const segmentFields = (list) =>
  Object.fromEntries(
    list.map((f) => [
      f.propertyName,
      {
        label: f.label,
        type: f.type,
        multiple: f.multiple,
        required: f.required === true ? true : f.requiredIf ?? false,
        ...(f.properties ? { properties: segmentFields(f.properties) } : {}),
        ...(f.additionalProperties ? { additionalProperties: true } : {})
      }
    ])
  )

const missing = ({ fields, payloads }) => {
  const check = ajv.compile(fieldsToJsonSchema(segmentFields(fields)))
  return {
    missing: payloads.map((payload) => {
      check(JSON.parse(JSON.stringify(payload)))
      const paths = (check.errors || [])
        .filter((e) => e.keyword === 'required')
        .map((e) => [...e.instancePath.split('/').filter(Boolean), e.params.missingProperty].join('.'))
      return [...new Set(paths)].sort()
    })
  }
}

const benchAt = process.argv.indexOf('--bench')
const benchSeconds = benchAt < 0 ? 0 : Number(process.argv[benchAt + 1])

// serde_json's objects are sorted by key (bytewise): give Segment the same order.
const sorted = (v) => {
  if (Array.isArray(v)) return v.map(sorted)
  if (v === null || typeof v !== 'object') return v
  const out = {}
  for (const k of Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) out[k] = sorted(v[k])
  return out
}

// transform may not change the event, but each call gets its own copy all the same, as
// a destination's `perform` would.
const mapped = (mapping, event) => {
  try {
    const out = transform(mapping, JSON.parse(JSON.stringify(event)))
    return { ok: out === undefined ? null : JSON.parse(JSON.stringify(out)) }
  } catch (e) {
    const errors = typeof e[Symbol.iterator] === 'function' ? [...e] : [e]
    return { error: errors.map((x) => x.message) }
  }
}

const matched = (fql, events) => {
  const ast = parseFql(fql)
  if (ast.error) return { error: ast.error.message }
  const matches = events.map((event) => {
    try {
      return validate(ast, event)
    } catch (e) {
      return 'throws'
    }
  })
  return { ast: JSON.parse(JSON.stringify(ast)), matches }
}

// JSON.stringify escapes a lone surrogate (half a character, e.g. "😀"[0]) as \udxxx,
// which serde_json refuses; write it as that text instead, as mapping.rs does.
const line = (answer) =>
  JSON.stringify(answer).replace(/(?<!\\)((?:\\\\)*)\\u(d[89a-f][0-9a-f]{2})/g, '$1\\\\u$2') + '\n'

// Runs `pass` until `seconds` have gone by; answers passes done and seconds taken.
const timed = (seconds, pass) => {
  pass() // warm up: the first pass compiles
  let passes = 0
  const start = process.hrtime.bigint()
  let elapsed = 0
  do {
    pass()
    passes += 1
    elapsed = Number(process.hrtime.bigint() - start) / 1e9
  } while (elapsed < seconds)
  return { passes, seconds: elapsed }
}

const bench = (events, mappings, triggers) => {
  // As a destination runs: the event is the one the pipeline holds (no copy), the answer
  // is the payload object (not serialized).
  const m = timed(benchSeconds, () => {
    for (const event of events) for (const mapping of mappings) {
      try {
        transform(mapping, event)
      } catch (e) {}
    }
  })
  const asts = triggers.map((fql) => parseFql(fql)).filter((ast) => !ast.error)
  const t = timed(benchSeconds, () => {
    for (const event of events) for (const ast of asts) {
      try {
        validate(ast, event)
      } catch (e) {}
    }
  })
  return {
    mappings: {
      evaluations: m.passes * events.length * mappings.length,
      seconds: m.seconds,
      all_mappings_over_one_event_ms: (m.seconds * 1000) / (m.passes * events.length),
    },
    triggers: { evaluations: t.passes * events.length * asts.length, seconds: t.seconds },
  }
}

const main = async () => {
  let events = null
  const mappings = []
  const triggers = []
  for await (const text of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (text.trim() === '') continue
    const input = JSON.parse(text)
    if (events === null) {
      events = sorted(input.events)
    } else if ('mapping' in input) {
      if (benchSeconds) mappings.push(sorted(input.mapping))
      else process.stdout.write(line({ answers: events.map((event) => mapped(sorted(input.mapping), event)) }))
    } else if ('required' in input) {
      process.stdout.write(line(missing(input.required)))
    } else if ('trigger' in input) {
      if (benchSeconds) triggers.push(input.trigger)
      else process.stdout.write(line(matched(input.trigger, events)))
    } else {
      throw new Error(`neither a mapping nor a trigger: ${text.slice(0, 200)}`)
    }
  }
  if (benchSeconds) process.stdout.write(JSON.stringify(bench(events, mappings, triggers)) + '\n')
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`)
  process.exit(1)
})
