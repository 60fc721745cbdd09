// A js-libp2p peer driven over stdin/stdout by the Java interop test and the benchmark.
// Usage: node --import ./polyfill.mjs peer.mjs <topic> <lifetimeSeconds>
// Prints: LISTEN <multiaddr> | CONNECTED <peer> | IDENTIFY <peer> <agent> <protocols,...> |
//         MSG <topic> <fromPeer> <utf8 data> | PUBLISHED <n> | PING <ms> | DIALED <peer> |
//         SUBSCRIBERS <topic> <n> | ERR <text>
//         RECV <seq> <sendMicros> <recvMicros> (quiet mode) | BURST_DONE <n>
// Reads:  DIAL <multiaddr> | PUB <topic> <text> | PING <peer> | WAITSUB <topic> <n> |
//         BURST <topic> <count> <size> <intervalMs> | EXIT
// Pass 'quiet' as the third argument (benchmarks) to print RECV lines instead of MSG lines.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import readline from 'node:readline'

const topic = process.argv[2] ?? 'tandem-interop'
const lifetime = Number(process.argv[3] ?? '60')
const quiet = process.argv[4] === 'quiet'
const say = (line) => process.stdout.write(line + '\n')

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    ping: ping(),
    pubsub: gossipsub({ allowPublishToZeroTopicPeers: false, heartbeatInterval: 500 })
  }
})

const exitTimer = setTimeout(async () => { say('ERR lifetime over'); await node.stop(); process.exit(0) }, lifetime * 1000)

node.addEventListener('peer:connect', (evt) => say(`CONNECTED ${evt.detail.toString()}`))
node.addEventListener('peer:identify', (evt) => {
  const d = evt.detail
  say(`IDENTIFY ${d.peerId.toString()} ${d.agentVersion ?? ''} ${(d.protocols ?? []).join(',')}`)
})
node.services.pubsub.addEventListener('message', (evt) => {
  const m = evt.detail
  if (quiet) {
    const [seq, sent] = new TextDecoder().decode(m.data.subarray(0, 40)).split(':')
    say(`RECV ${seq} ${sent} ${nowMicros()}`)
    return
  }
  say(`MSG ${m.topic} ${m.from?.toString() ?? '-'} ${new TextDecoder().decode(m.data)}`)
})
node.services.pubsub.subscribe(topic)
await node.start()
say(`LISTEN ${node.getMultiaddrs()[0].toString()}`)

function nowMicros () { return Math.round((performance.timeOrigin + performance.now()) * 1000) }
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))

async function handle (line) {
  const [cmd, ...rest] = line.trim().split(' ')
  try {
    if (cmd === 'DIAL') {
      const conn = await node.dial(multiaddr(rest[0]))
      say(`DIALED ${conn.remotePeer.toString()}`)
    } else if (cmd === 'PUB') {
      const [t, ...words] = rest
      const res = await node.services.pubsub.publish(t, new TextEncoder().encode(words.join(' ')))
      say(`PUBLISHED ${res.recipients.length}`)
    } else if (cmd === 'PING') {
      const ms = await node.services.ping.ping(peerIdFromString(rest[0]))
      say(`PING ${ms}`)
    } else if (cmd === 'WAITSUB') {
      const want = Number(rest[1])
      for (let i = 0; i < 200; i++) {
        if (node.services.pubsub.getSubscribers(rest[0]).length >= want) break
        await sleep(50)
      }
      say(`SUBSCRIBERS ${rest[0]} ${node.services.pubsub.getSubscribers(rest[0]).length}`)
    } else if (cmd === 'BURST') {
      const [t, count, size, interval] = rest.map((v, i) => i === 0 ? v : Number(v))
      for (let i = 0; i < count; i++) {
        const head = `${i}:${nowMicros()}:`
        const data = new TextEncoder().encode(head.padEnd(size, 'x'))
        await node.services.pubsub.publish(t, data)
        if (interval > 0) await sleep(interval)
      }
      say(`BURST_DONE ${count}`)
    } else if (cmd === 'EXIT') {
      clearTimeout(exitTimer)
      await node.stop()
      process.exit(0)
    } else {
      say(`ERR unknown command ${cmd}`)
    }
  } catch (e) {
    say(`ERR ${cmd} ${String(e?.message ?? e).replace(/\n/g, ' ')}`)
  }
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => { handle(line) })
rl.on('close', async () => { clearTimeout(exitTimer); await node.stop(); process.exit(0) })
