// POST /batch: several writes in one request, each with its own result; a
// batch that is not well formed runs nothing.
import assert from 'node:assert/strict';

export default [
  {
    name: 'a batch runs its writes in order, each with its own result',
    async run(s) {
      const answer = await s.call('POST', '/api/v1/batch', {
        body: {
          requests: [
            { method: 'POST', path: '/api/v1/items', body: { id: 'batch-mug', onHand: 1 } },
            { method: 'POST', path: '/api/v1/reservations', body: { userId: 'b1', itemId: 'batch-mug', qty: 1 } },
            { method: 'POST', path: '/api/v1/reservations', body: { userId: 'b2', itemId: 'batch-mug', qty: 1 } },
          ],
        },
        expect: { status: 200 },
      });
      assert.deepEqual(answer.json.results.map((r) => r.status), [201, 201, 409]);
      assert.equal(answer.json.results[2].body.error.code, 'out_of_stock');
    },
  },
  {
    name: 'a client token gets its own 403 inside a batch',
    async run(s) {
      const answer = await s.call('POST', '/api/v1/batch', {
        as: 'client',
        body: { requests: [{ method: 'POST', path: '/api/v1/items', body: { id: 'nope', onHand: 1 } }] },
        expect: { status: 200 },
      });
      assert.equal(answer.json.results[0].status, 403);
    },
  },
  {
    name: 'a batch that is not well formed is 400 and runs nothing',
    async run(s) {
      const notList = await s.call('POST', '/api/v1/batch', { body: { requests: {} }, expect: { status: 400, code: 'invalid_request' } });
      assert.equal(notList.json.error.field, 'requests');
      const get = await s.call('POST', '/api/v1/batch', {
        body: { requests: [{ method: 'POST', path: '/api/v1/items', body: { id: 'never', onHand: 1 } }, { method: 'GET', path: '/api/v1/items/never' }] },
        expect: { status: 400, code: 'invalid_request' },
      });
      assert.match(get.json.error.field, /^requests\[1\]/);
      await s.call('GET', '/api/v1/items/never', { expect: { status: 404, code: 'not_found' } });
    },
  },
];
