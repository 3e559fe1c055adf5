// Webhook delivery lag at a fixed write rate: a running allot (--url) gets
// reservations at --rate per second for --seconds, a webhook delivers every
// change to a receiver in this process, and the lag of each change is the
// time it arrived here minus its `at` (the instant of the batch that
// committed it, from the same machine's clock). Prints p50, p99, max.
//
//   node bench/webhooks/webhook_lag.mjs --url http://127.0.0.1:8080 --rate 1000 --seconds 20
//
// Bounded: --seconds of load (at most 120), then up to 30 s for the last
// deliveries. Talks only to the given URL and to its own receiver on
// 127.0.0.1.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' },
  },
});
const rate = Number(args.rate);
const seconds = Math.min(Number(args.seconds), 120);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(args.connections) });

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${args.url}/api/v1${path}`, { method, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const lags = [];
let last = 0;
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const now = Date.now();
    const change = JSON.parse(body);
    lags.push(now - Date.parse(change.at));
    last = Math.max(last, change.seq);
    res.writeHead(204).end();
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));

const item = `lag-${process.pid}-${Date.now()}`;
await call('POST', '/items', { id: item, onHand: 1_000_000_000 });
const hook = await call('POST', '/webhooks', { url: `http://127.0.0.1:${receiver.address().port}/in`, types: ['reservation.created'] });
if (hook.status !== 201) throw new Error(`webhook not created: ${JSON.stringify(hook.json)}`);

let sent = 0, ok = 0, failed = 0;
const start = Date.now();
const pending = new Set();
while (Date.now() - start < seconds * 1000) {
  const due = Math.floor(((Date.now() - start) / 1000) * rate);
  while (sent < due) {
    sent += 1;
    const p = call('POST', '/reservations', { userId: `u${sent % 1000}`, itemId: item, qty: 1, ttlSeconds: 3600 })
      .then((r) => { if (r.status === 201) ok += 1; else failed += 1; }, () => { failed += 1; })
      .finally(() => pending.delete(p));
    pending.add(p);
  }
  await new Promise((r) => setTimeout(r, 2));
}
await Promise.all(pending);
const elapsed = (Date.now() - start) / 1000;
const deadline = Date.now() + 30_000;
while (lags.length < ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
await call('POST', `/webhooks/${hook.json.id}/disable`, {});
receiver.close();
agent.destroy();

lags.sort((a, b) => a - b);
const pct = (p) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))];
console.log(JSON.stringify({
  rate_offered: rate, seconds: elapsed, writes_acknowledged: ok, writes_failed: failed,
  achieved_rate: Math.round(ok / elapsed), delivered: lags.length,
  lag_ms: { p50: pct(50), p90: pct(90), p99: pct(99), max: lags[lags.length - 1] },
}));
