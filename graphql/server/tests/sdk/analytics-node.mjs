// analytics-node against houston-server, run by graphql/server/tests/sdk.rs:
//   node analytics-node.mjs <host> <writeKey> <bulk>
// Sends one call of every type, then <bulk> track calls, flushes, and prints on its last
// line the JSON list of what the library says it delivered ({type, messageId}). Exits 1 on
// any delivery error.
import { Analytics } from '@segment/analytics-node'

const [host, writeKey, bulk] = process.argv.slice(2)
const analytics = new Analytics({ writeKey, host, flushAt: 100, flushInterval: 500 })
analytics.on('error', (error) => {
  console.error('delivery error:', error)
  process.exitCode = 1
})

const delivered = []
const note = (type) => (error, ctx) => {
  if (error) {
    console.error(`${type} failed:`, error)
    process.exitCode = 1
  } else {
    delivered.push({ type, messageId: ctx.event.messageId })
  }
}

const userId = 'user-1'
analytics.identify({ userId, traits: { email: 'ann@example.com' } }, note('identify'))
analytics.track({ userId, event: 'Order Completed', properties: { total: 42 } }, note('track'))
analytics.page({ userId, category: 'Docs', name: 'Pricing', properties: { plan: 'pro' } }, note('page'))
analytics.screen({ userId, name: 'Home' }, note('screen'))
analytics.group({ userId, groupId: 'group-1', traits: { name: 'Acme' } }, note('group'))
analytics.alias({ userId, previousId: 'previous-1' }, note('alias'))
for (let i = 0; i < Number(bulk); i++) {
  analytics.track({ anonymousId: `anon-${i}`, event: 'Bulk', properties: { i } }, note('track'))
}
await analytics.closeAndFlush({ timeout: 60000 })
console.log(JSON.stringify(delivered))
