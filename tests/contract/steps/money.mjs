// Accounts and transfers: posted, held then confirmed or cancelled, and
// more than the balance.
import assert from 'node:assert/strict';

export default [
  {
    name: 'open accounts, again identically, and read one',
    async run(s) {
      await s.call('POST', '/api/v1/accounts', { body: { id: 'ann', balance: 5000 }, expect: { status: 201 } });
      await s.call('POST', '/api/v1/accounts', { body: { id: 'ann', balance: 5000 }, expect: { status: 200 } });
      await s.call('POST', '/api/v1/accounts', { body: { id: 'bob', balance: 0 }, expect: { status: 201 } });
      const ann = await s.call('GET', '/api/v1/accounts/ann', { expect: { status: 200 } });
      assert.equal(ann.json.available, 5000);
    },
  },
  {
    name: 'a posted transfer, a held one confirmed, a held one cancelled',
    async run(s) {
      const posted = await s.call('POST', '/api/v1/transfers', { body: { fromId: 'ann', toId: 'bob', amount: 1200 }, expect: { status: 201 } });
      assert.equal(posted.json.status, 'posted');
      await s.call('GET', `/api/v1/transfers/${posted.json.id}`, { expect: { status: 200 } });
      const held = await s.call('POST', '/api/v1/transfers', { body: { fromId: 'ann', toId: 'bob', amount: 800, hold: true, ttlSeconds: 300 }, expect: { status: 201 } });
      const confirmed = await s.call('POST', `/api/v1/transfers/${held.json.id}/confirm`, { expect: { status: 200 } });
      assert.equal(confirmed.json.status, 'posted');
      const another = await s.call('POST', '/api/v1/transfers', { body: { fromId: 'ann', toId: 'bob', amount: 100, hold: true }, expect: { status: 201 } });
      const cancelled = await s.call('POST', `/api/v1/transfers/${another.json.id}/cancel`, { expect: { status: 200 } });
      assert.equal(cancelled.json.status, 'cancelled');
    },
  },
  {
    name: 'more than the balance: 409 insufficient_funds',
    async run(s) {
      await s.call('POST', '/api/v1/transfers', { body: { fromId: 'ann', toId: 'bob', amount: 1_000_000 }, expect: { status: 409, code: 'insufficient_funds' } });
    },
  },
];
