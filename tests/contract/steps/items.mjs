// Items: create (new, identical, conflicting), read, page, adjust; and what
// any POST may meet: validation, access, idempotency keys, the body limit.
import assert from 'node:assert/strict';

export default [
  {
    name: 'create an item, again identically, then differently',
    async run(s) {
      const mug = { id: 'mug', name: 'Mug', onHand: 3 };
      await s.call('POST', '/api/v1/items', { body: mug, expect: { status: 201 } });
      await s.call('POST', '/api/v1/items', { body: mug, expect: { status: 200 } });
      await s.call('POST', '/api/v1/items', { body: { ...mug, onHand: 4 }, expect: { status: 409, code: 'already_exists' } });
      await s.call('POST', '/api/v1/items', { body: { id: 'capped', onHand: 10, maxPerUser: 1 }, expect: { status: 201 } });
    },
  },
  {
    name: 'a wrong type: 400 invalid_request naming the field',
    async run(s) {
      const answer = await s.call('POST', '/api/v1/items', { body: { id: 'x', onHand: '3' }, expect: { status: 400, code: 'invalid_request' } });
      assert.equal(answer.json.error.field, 'onHand');
    },
  },
  {
    name: 'a client token may not create items: 403 forbidden',
    async run(s) {
      await s.call('POST', '/api/v1/items', { as: 'client', body: { id: 'tee', onHand: 1 }, expect: { status: 403, code: 'forbidden' } });
    },
  },
  {
    name: 'an idempotency key replays, and refuses another request',
    async run(s) {
      const headers = { 'idempotency-key': 'contract-key-1' };
      await s.call('POST', '/api/v1/items', { headers, body: { id: 'pen', onHand: 5 }, expect: { status: 201 } });
      const replay = await s.call('POST', '/api/v1/items', { headers, body: { id: 'pen', onHand: 5 }, expect: { status: 201 } });
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      await s.call('POST', '/api/v1/items', { headers, body: { id: 'pen', onHand: 6 }, expect: { status: 422, code: 'idempotency_key_reused' } });
    },
  },
  {
    name: 'a body over 64 KiB: 413 payload_too_large',
    async run(s) {
      const body = JSON.stringify({ id: 'big', onHand: 1, name: 'x'.repeat(70 * 1024) });
      await s.call('POST', '/api/v1/items', { body, expect: { status: 413, code: 'payload_too_large' } });
    },
  },
  {
    name: 'read an item, and one that does not exist',
    async run(s) {
      const mug = await s.call('GET', '/api/v1/items/mug', { expect: { status: 200 } });
      assert.equal(mug.json.available, 3);
      const missing = await s.call('GET', '/api/v1/items/nope', { expect: { status: 404, code: 'not_found' } });
      assert.equal(missing.json.error.resource, 'item');
    },
  },
  {
    name: 'page through items with next and after; a bad limit is 400',
    async run(s) {
      const first = await s.call('GET', '/api/v1/items?limit=1', { expect: { status: 200 } });
      assert.equal(first.json.items.length, 1);
      assert.notEqual(first.json.next, null);
      const second = await s.call('GET', `/api/v1/items?limit=1&after=${first.json.next}`, { expect: { status: 200 } });
      assert.ok(second.json.items[0].id > first.json.items[0].id);
      await s.call('GET', '/api/v1/items?limit=0', { expect: { status: 400, code: 'invalid_request' } });
    },
  },
  {
    name: 'adjust stock up; below what is held is out_of_stock',
    async run(s) {
      const up = await s.call('POST', '/api/v1/items/mug/adjustments', { body: { delta: 2, reason: 'restock' }, expect: { status: 200 } });
      assert.equal(up.json.onHand, 5);
      await s.call('POST', '/api/v1/items/mug/adjustments', { body: { delta: -100, reason: 'loss' }, expect: { status: 409, code: 'out_of_stock' } });
    },
  },
];
