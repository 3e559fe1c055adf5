// Queries and history: the three lists with their filters and cursors,
// item and account history, asOf, extending a hold, and compare-and-set
// adjustments (409 precondition_failed). A client lists only its own.
import assert from 'node:assert/strict';

export default [
  {
    name: 'list reservations by user, item and status, page by page',
    async run(s) {
      await s.call('POST', '/api/v1/items', { body: { id: 'lamp', onHand: 20 }, expect: { status: 201 } });
      const made = [];
      for (const as of ['admin', 'client', 'admin']) {
        const r = await s.call('POST', '/api/v1/reservations', { as, body: { userId: 'quinn', itemId: 'lamp', qty: 1 }, expect: { status: 201 } });
        made.push(r.json.id);
      }
      const seen = [];
      let after = '';
      for (;;) {
        const page = await s.call('GET', `/api/v1/reservations?userId=quinn&limit=2${after}`, { expect: { status: 200 } });
        seen.push(...page.json.reservations.map((r) => r.id));
        if (page.json.next === null) break;
        after = `&after=${page.json.next}`;
      }
      assert.deepEqual(seen, made);
      const byItem = await s.call('GET', '/api/v1/reservations?itemId=lamp&status=held', { expect: { status: 200 } });
      assert.equal(byItem.json.reservations.length, 3);
      // A client sees only the one it made.
      const own = await s.call('GET', '/api/v1/reservations?userId=quinn', { as: 'client', expect: { status: 200 } });
      assert.deepEqual(own.json.reservations.map((r) => r.id), [made[1]]);
      s.state.lampHold = made[0];
      await s.call('GET', '/api/v1/reservations?status=gone', { expect: { status: 400, code: 'invalid_request' } });
      await s.call('GET', '/api/v1/reservations?after=x', { expect: { status: 400, code: 'invalid_request' } });
      await s.call('GET', '/api/v1/reservations', { as: null, expect: { status: 401, code: 'unauthorized' } });
    },
  },
  {
    name: 'list orders and transfers',
    async run(s) {
      const r = await s.call('POST', '/api/v1/reservations', { body: { userId: 'rey', itemId: 'lamp', qty: 2 }, expect: { status: 201 } });
      const confirmed = await s.call('POST', `/api/v1/reservations/${r.json.id}/confirm`, { body: {}, expect: { status: 200 } });
      const orders = await s.call('GET', '/api/v1/orders?userId=rey&status=placed', { expect: { status: 200 } });
      assert.deepEqual(orders.json.orders.map((o) => o.id), [confirmed.json.order.id]);
      await s.call('GET', '/api/v1/orders?status=held', { expect: { status: 400, code: 'invalid_request' } });
      await s.call('GET', '/api/v1/orders', { as: null, expect: { status: 401, code: 'unauthorized' } });
      await s.call('POST', '/api/v1/accounts', { body: { id: 'quinn-wallet', balance: 500 }, expect: { status: 201 } });
      await s.call('POST', '/api/v1/accounts', { body: { id: 'rey-wallet', balance: 0 }, expect: { status: 201 } });
      const t = await s.call('POST', '/api/v1/transfers', { body: { fromId: 'quinn-wallet', toId: 'rey-wallet', amount: 120 }, expect: { status: 201 } });
      const transfers = await s.call('GET', '/api/v1/transfers?accountId=rey-wallet', { expect: { status: 200 } });
      assert.deepEqual(transfers.json.transfers.map((x) => x.id), [t.json.id]);
      const none = await s.call('GET', '/api/v1/transfers?accountId=rey-wallet', { as: 'client', expect: { status: 200 } });
      assert.deepEqual(none.json.transfers, []);
      await s.call('GET', '/api/v1/transfers?accountId=bad/id', { expect: { status: 400, code: 'invalid_request' } });
      await s.call('GET', '/api/v1/transfers', { as: null, expect: { status: 401, code: 'unauthorized' } });
    },
  },
  {
    name: 'an item history replays to its counters; a client sees only its own ids',
    async run(s) {
      const history = await s.call('GET', '/api/v1/items/lamp/history?limit=1000', { expect: { status: 200 } });
      const entries = history.json.entries;
      assert.equal(entries[0].kind, 'create');
      const sum = entries.reduce((a, e) => ({ onHand: a.onHand + e.onHandDelta, held: a.held + e.heldDelta, sold: a.sold + e.soldDelta }), { onHand: 0, held: 0, sold: 0 });
      const lamp = await s.call('GET', '/api/v1/items/lamp', { expect: { status: 200 } });
      assert.deepEqual(sum, { onHand: lamp.json.onHand, held: lamp.json.held, sold: lamp.json.sold });
      const page = await s.call('GET', `/api/v1/items/lamp/history?limit=2&after=${entries[0].seq}`, { expect: { status: 200 } });
      assert.deepEqual(page.json.entries.map((e) => e.seq), entries.slice(1, 3).map((e) => e.seq));
      const asClient = await s.call('GET', '/api/v1/items/lamp/history?limit=1000', { as: 'client', expect: { status: 200 } });
      assert.equal(asClient.json.entries.length, entries.length);
      assert.equal(asClient.json.entries.filter((e) => e.reservationId).length, 1);
      await s.call('GET', '/api/v1/items/nope/history', { expect: { status: 404, code: 'not_found' } });
      await s.call('GET', '/api/v1/items/lamp/history?limit=0', { expect: { status: 400, code: 'invalid_request' } });
      await s.call('GET', '/api/v1/items/lamp/history', { as: null, expect: { status: 401, code: 'unauthorized' } });
    },
  },
  {
    name: 'an account history, the opening balance first',
    async run(s) {
      const history = await s.call('GET', '/api/v1/accounts/quinn-wallet/history', { expect: { status: 200 } });
      assert.deepEqual(history.json.entries.map((e) => [e.kind, e.amount, e.balance]), [['create', 500, 500], ['debit', -120, 380]]);
      await s.call('GET', '/api/v1/accounts/nobody/history', { expect: { status: 404, code: 'not_found' } });
      await s.call('GET', '/api/v1/accounts/quinn-wallet/history?after=-1', { expect: { status: 400, code: 'invalid_request' } });
      await s.call('GET', '/api/v1/accounts/quinn-wallet/history', { as: null, expect: { status: 401, code: 'unauthorized' } });
    },
  },
  {
    name: 'asOf: an item and an account as they were',
    async run(s) {
      const history = await s.call('GET', '/api/v1/accounts/quinn-wallet/history', { expect: { status: 200 } });
      const opened = history.json.entries[0].at;
      const then = await s.call('GET', `/api/v1/accounts/quinn-wallet?asOf=${opened}`, { expect: { status: 200 } });
      assert.equal(then.json.balance, 500);
      await s.call('GET', '/api/v1/accounts/quinn-wallet?asOf=2000-01-01T00:00:00.000Z', { expect: { status: 404, code: 'not_found' } });
      await s.call('GET', '/api/v1/accounts/quinn-wallet?asOf=yesterday', { expect: { status: 400, code: 'invalid_request' } });
      const lamp = await s.call('GET', '/api/v1/items/lamp/history?limit=1', { expect: { status: 200 } });
      const created = await s.call('GET', `/api/v1/items/lamp?asOf=${lamp.json.entries[0].at}`, { expect: { status: 200 } });
      assert.ok(created.json.onHand === 20 && created.json.sold <= 2);
      await s.call('GET', '/api/v1/items/lamp?when=now', { expect: { status: 400, code: 'invalid_request' } });
    },
  },
  {
    name: 'extend a held reservation; not another client\'s, not past 604800 s',
    async run(s) {
      const extended = await s.call('POST', `/api/v1/reservations/${s.state.lampHold}/extend`, { body: { ttlSeconds: 900 }, expect: { status: 200 } });
      assert.equal(extended.json.status, 'held');
      assert.ok(Date.parse(extended.json.expiresAt) - Date.now() > 800_000);
      await s.call('POST', `/api/v1/reservations/${s.state.lampHold}/extend`, { as: 'client', body: { ttlSeconds: 900 }, expect: { status: 403, code: 'forbidden' } });
      await s.call('POST', `/api/v1/reservations/${s.state.lampHold}/extend`, { body: { ttlSeconds: 604800 }, expect: { status: 400, code: 'invalid_request' } });
      await s.call('POST', '/api/v1/reservations/rsv_missing/extend', { body: { ttlSeconds: 60 }, expect: { status: 404, code: 'not_found' } });
      const short = await s.call('POST', '/api/v1/reservations', { body: { userId: 'sam', itemId: 'lamp', qty: 1, ttlSeconds: 1 }, expect: { status: 201 } });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await s.call('POST', `/api/v1/reservations/${short.json.id}/extend`, { body: { ttlSeconds: 60 }, expect: { status: 409, code: 'reservation_expired' } });
    },
  },
  {
    name: 'compare-and-set adjustments: 409 precondition_failed with expected and actual',
    async run(s) {
      const lamp = await s.call('GET', '/api/v1/items/lamp', { expect: { status: 200 } });
      const onHand = lamp.json.onHand;
      await s.call('POST', '/api/v1/items/lamp/adjustments', { body: { delta: 1, reason: 'count', expectedOnHand: onHand }, expect: { status: 200 } });
      const refused = await s.call('POST', '/api/v1/items/lamp/adjustments', { body: { delta: 1, reason: 'count', expectedOnHand: onHand }, expect: { status: 409, code: 'precondition_failed' } });
      assert.deepEqual([refused.json.error.field, refused.json.error.expected, refused.json.error.actual], ['onHand', onHand, onHand + 1]);
    },
  },
];
