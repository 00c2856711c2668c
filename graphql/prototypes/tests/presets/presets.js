// Prints each destination's `presets` from an unpacked @segment/action-destinations
// (`npm pack @segment/action-destinations@3.497.0`), keys sorted:
//   NODE_PATH=node_modules node presets.js <package dir>
//   → {"<directory>": [{name, type, partnerAction, subscribe?, eventSlug?, mapping}]}
// The catalog's `presets` (graphql/server/catalog/segment-actions.json) were written from
// this output; ../presets.rs checks that they still are what the package says.
// Modules the destinations need at run time but not to describe themselves (cloud SDKs,
// clients) may be absent: they load as inert stand-ins, since presets are plain data
// built from the actions' own fields.
const Module = require('module')
const path = require('path')
const fs = require('fs')
const [pkg] = process.argv.slice(2)
const standIn = () => new Proxy(function () {}, {
  get: (_, key) => (key === Symbol.toPrimitive ? () => '' : key === '__esModule' ? true : standIn()),
  apply: () => standIn(),
  construct: () => standIn()
})
const load = Module._load
Module._load = function (request, parent, isMain) {
  try {
    return load.call(this, request, parent, isMain)
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND' || request.startsWith('.')) throw e
    return standIn()
  }
}
const sorted = (v) => {
  if (Array.isArray(v)) return v.map(sorted)
  if (v === null || typeof v !== 'object') return v
  const out = {}
  for (const k of Object.keys(v).sort()) out[k] = sorted(v[k])
  return out
}
const root = path.join(pkg, 'dist', 'destinations')
const out = {}
for (const dir of fs.readdirSync(root).sort()) {
  const index = path.join(root, dir, 'index.js')
  if (!fs.existsSync(index)) continue
  let definition
  try {
    definition = require(index).default
  } catch (e) {
    process.stderr.write(`${dir}: ${e.message}\n`)
    continue
  }
  if (!definition || !Array.isArray(definition.presets)) continue
  out[dir] = definition.presets.map((p) => sorted(JSON.parse(JSON.stringify(p))))
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n')
