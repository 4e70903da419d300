// BASELINE, not part of tickpipe: the relay a user would otherwise write
// with Node.js: the npm "ws" server plus one ioredis subscriber, relaying
// every Redis message to the WebSocket clients subscribed to its channel.
// Speaks the subset of wsgate's client protocol the benchmark uses:
// {"op":"subscribe","channels":[...]} (exact channels) -> "subscribed".
// usage: node relay.js PORT REDIS_PORT
'use strict';
const { WebSocketServer } = require('ws');
const Redis = require('ioredis');

const port = Number(process.argv[2]);
const redis = new Redis({ port: Number(process.argv[3]), host: '127.0.0.1' });
const subs = new Map(); // channel -> Set of sockets

redis.on('message', (channel, message) => {
  const set = subs.get(channel);
  if (!set) return;
  for (const ws of set) ws.send(message);
});

const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws' });
wss.on('connection', (ws) => {
  const mine = new Set();
  ws.on('message', (data) => {
    let m;
    try { m = JSON.parse(data); } catch (e) { return; }
    if (m.op !== 'subscribe' || !Array.isArray(m.channels)) return;
    for (const ch of m.channels) {
      if (!subs.has(ch)) { subs.set(ch, new Set()); redis.subscribe(ch); }
      subs.get(ch).add(ws);
      mine.add(ch);
    }
    ws.send(JSON.stringify({ type: 'subscribed', channels: m.channels }));
  });
  ws.on('close', () => { for (const ch of mine) subs.get(ch).delete(ws); });
});
wss.on('listening', () => console.log('listening'));
