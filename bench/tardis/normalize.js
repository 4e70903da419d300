// normalize.js CAPTURE VENUE REPS [WARM_MS]: the Tardis normalizers (npm
// tardis-dev, pinned in package.json) on a recorded capture, offline, for
// bench/part-tardis.sh.
//
// CAPTURE is a capture as tests/fixtures/venues/README.md describes it
// (one JSON object a line).  Its "recv" frames, and its "rest" snapshots
// as tardis-dev's own recordings carry them (Binance: a generated
// "<symbol>@depthSnapshot" message), go through tardis-dev's trade and
// book change mappers, each with the frame's capture time as its
// localTimestamp, and every book change into an OrderBook per symbol
// (tardis-dev's).  JSON.parse of each frame's text is counted, as the
// collector's parsing is.  The whole capture is fed REPS times, each time
// to fresh mappers and books, after repetitions not counted that take
// WARM_MS of CPU time (default 0: one), the JIT's warm-up: V8 keeps
// getting faster over the first second or two of this work.  Prints
// "venue msgs cpu_seconds wall_seconds msgs_per_cpu_second mapped"
// (mapped: trades and book changes produced in one repetition); exits 65
// when the mappers produced nothing.
'use strict'
const fs = require('fs')
const tardis = require('tardis-dev')
const bybit = require('tardis-dev/dist/mappers/bybit')

const [file, venue, repsArg, warmArg] = process.argv.slice(2)
const reps = Number(repsArg || 1)
const warm = Number(warmArg || 0)
if (!file || !venue || !(reps >= 1) || !(warm >= 0)) {
  console.error('usage: normalize.js CAPTURE VENUE REPS [WARM_MS]')
  process.exit(64)
}

// The mappers per venue.  Bybit: normalizeBookChanges('bybit-spot') picks
// tardis-dev's v5 book mapper for depth 50 (orderbook.50.*); the capture
// subscribed orderbook.200, so the same v5 mapper is made for depth 200.
const mappers = {
  binance: (lt) => [tardis.normalizeTrades('binance', lt), tardis.normalizeBookChanges('binance', lt)],
  bybit: (lt) => [tardis.normalizeTrades('bybit-spot', lt), new bybit.BybitV5BookChangeMapper('bybit-spot', 200)],
  kraken: (lt) => [tardis.normalizeTrades('kraken', lt), tardis.normalizeBookChanges('kraken', lt)],
  coinbase: (lt) => [tardis.normalizeTrades('coinbase', lt), tardis.normalizeBookChanges('coinbase', lt)]
}
if (!mappers[venue]) {
  console.error(`normalize.js: ${venue}: no mapper chosen for it`)
  process.exit(64)
}

// the frames: [text, localTimestamp]; REST snapshots as tardis records them
const frames = []
let last = new Date(0)
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (line === '') continue
  const o = JSON.parse(line)
  if (o.ts !== undefined) last = new Date(o.ts * 1000)
  if (o.t === 'recv') frames.push([o.text, last])
  else if (o.t === 'rest') {
    frames.push([`{"stream":"${o.symbol.toLowerCase()}@depthSnapshot","generated":true,"data":${o.text}}`, last])
  }
}

function once () {
  const ms = mappers[venue](frames.length ? frames[0][1] : new Date())
  const books = new Map()
  let mapped = 0
  for (const [text, lt] of frames) {
    const msg = JSON.parse(text)
    for (const m of ms) {
      if (!m.canHandle(msg)) continue
      for (const x of m.map(msg, lt)) {
        mapped++
        if (x.type !== 'book_change') continue
        let b = books.get(x.symbol)
        if (b === undefined) books.set(x.symbol, (b = new tardis.OrderBook()))
        b.update(x)
      }
    }
  }
  return mapped
}

const cpuMs = (c) => (c.user + c.system) / 1000
const w0 = process.cpuUsage()
const mapped = once()
if (mapped === 0) {
  console.error(`normalize.js: ${venue}: tardis-dev mapped none of the ${frames.length} frames`)
  process.exit(65)
}
while (cpuMs(process.cpuUsage(w0)) < warm) once()
const c0 = process.cpuUsage()
const t0 = process.hrtime.bigint()
for (let i = 0; i < reps; i++) once()
const c = process.cpuUsage(c0)
const wall = Number(process.hrtime.bigint() - t0) / 1e9
const cpu = (c.user + c.system) / 1e6
const n = frames.length * reps
console.log(`${venue} ${n} ${cpu.toFixed(3)} ${wall.toFixed(3)} ${Math.round(n / cpu)} ${mapped}`)
