// Webhooks (admin): register one that delivers to a receiver of this
// session, read it, replay, disable and enable it; a client's 403, bad
// input's 400, an unknown id's 404. Delivery itself is tested end to end in
// tests/blackbox/webhooks_test.cc.
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';

// A receiver on loopback that acknowledges everything and keeps it.
async function startReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, url: `http://127.0.0.1:${server.address().port}/hooks`, close: () => server.close() };
}

async function waitFor(predicate, ms) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

export default [
  {
    name: 'register a webhook: the secret once, deliveries signed with it',
    async run(s) {
      const receiver = await startReceiver();
      s.state.receiver = receiver;
      const created = await s.call('POST', '/api/v1/webhooks', {
        body: { url: receiver.url, types: ['item.created'] },
        expect: { status: 201 },
      });
      assert.match(created.json.id, /^whk_/);
      assert.match(created.json.secret, /^[0-9a-f]{64}$/);
      assert.equal(created.json.status, 'active');
      s.state.webhook = created.json;
      await s.call('POST', '/api/v1/items', { body: { id: 'hooked', onHand: 1 }, expect: { status: 201 } });
      assert.ok(await waitFor(() => receiver.received.length >= 1, 10_000), 'nothing was delivered');
      const [delivery] = receiver.received;
      const [t, v1] = delivery.headers['allot-signature'].split(',').map((part) => part.split('=')[1]);
      const expected = crypto.createHmac('sha256', created.json.secret).update(`${t}.${delivery.body}`).digest('hex');
      assert.equal(v1, expected);
      assert.equal(delivery.headers['allot-event-type'], 'item.created');
      assert.equal(JSON.parse(delivery.body).data.id, 'hooked');
    },
  },
  {
    name: 'read, replay, disable and enable a webhook',
    async run(s) {
      const id = s.state.webhook.id;
      const read = await s.call('GET', `/api/v1/webhooks/${id}`, { expect: { status: 200 } });
      assert.equal(read.json.secret, undefined);
      const replayed = await s.call('POST', `/api/v1/webhooks/${id}/replay`, { body: { after: 0 }, expect: { status: 200 } });
      assert.equal(replayed.json.cursor, 0);
      const off = await s.call('POST', `/api/v1/webhooks/${id}/disable`, { expect: { status: 200 } });
      assert.equal(off.json.status, 'disabled');
      const on = await s.call('POST', `/api/v1/webhooks/${id}/enable`, { body: {}, expect: { status: 200 } });
      assert.equal(on.json.status, 'active');
      await s.call('POST', `/api/v1/webhooks/${id}/disable`, { expect: { status: 200 } });
      s.state.receiver.close();
    },
  },
  {
    name: 'webhooks refuse bad input, clients and unknown ids',
    async run(s) {
      await s.call('POST', '/api/v1/webhooks', { body: { url: 'http://10.0.0.1/hooks' }, expect: { status: 400, code: 'invalid_request' } });
      await s.call('POST', '/api/v1/webhooks', { body: { url: 'ftp://127.0.0.1/' }, expect: { status: 400, code: 'invalid_request' } });
      await s.call('POST', '/api/v1/webhooks', { body: { url: 'http://127.0.0.1/', types: ['nope'] }, expect: { status: 400, code: 'invalid_request' } });
      const past = await s.call('POST', '/api/v1/webhooks', { body: { url: 'http://127.0.0.1/', after: 1e9 }, expect: { status: 400, code: 'invalid_request' } });
      assert.equal(past.json.error.field, 'after');
      await s.call('POST', '/api/v1/webhooks', { as: 'client', body: { url: 'http://127.0.0.1/' }, expect: { status: 403, code: 'forbidden' } });
      await s.call('GET', `/api/v1/webhooks/${s.state.webhook.id}`, { as: 'client', expect: { status: 403, code: 'forbidden' } });
      await s.call('GET', '/api/v1/webhooks/whk_nope', { expect: { status: 404, code: 'not_found' } });
      await s.call('POST', '/api/v1/webhooks/whk_nope/replay', { body: { after: 0 }, expect: { status: 404, code: 'not_found' } });
      await s.call('POST', '/api/v1/webhooks/whk_nope/enable', { expect: { status: 404, code: 'not_found' } });
    },
  },
];
