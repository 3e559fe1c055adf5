// Reservations and orders: hold, confirm, cancel, expire, and the refusals
// of each.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

export default [
  {
    name: 'reserve (both forms, both paths), read, confirm twice',
    async run(s) {
      const held = await s.call('POST', '/api/v1/reservations', { body: { userId: 'ann', itemId: 'mug', qty: 2, ttlSeconds: 300 }, expect: { status: 201 } });
      assert.equal(held.json.status, 'held');
      s.state.confirmed = held.json.id;
      await s.call('POST', '/api/v1/reserve', { body: { userId: 'bob', lines: [{ itemId: 'mug', qty: 1 }] }, expect: { status: 201 } });
      await s.call('GET', `/api/v1/reservations/${held.json.id}`, { expect: { status: 200 } });
      const confirmed = await s.call('POST', `/api/v1/reservations/${held.json.id}/confirm`, { body: { paymentRef: 'pay-1' }, expect: { status: 200 } });
      assert.equal(confirmed.json.reservation.status, 'confirmed');
      const again = await s.call('POST', `/api/v1/reservations/${held.json.id}/confirm`, { body: {}, expect: { status: 200 } });
      assert.equal(again.json.order.id, confirmed.json.order.id);
      await s.call('GET', '/api/v1/reservations/rsv_nope', { expect: { status: 404, code: 'not_found' } });
    },
  },
  {
    name: 'more than is available: 409 out_of_stock',
    async run(s) {
      await s.call('POST', '/api/v1/reservations', { body: { userId: 'ann', itemId: 'mug', qty: 100 }, expect: { status: 409, code: 'out_of_stock' } });
    },
  },
  {
    name: "past the item's maxPerUser: 409 limit_exceeded",
    async run(s) {
      await s.call('POST', '/api/v1/reservations', { body: { userId: 'ann', itemId: 'capped', qty: 2 }, expect: { status: 409, code: 'limit_exceeded' } });
    },
  },
  {
    name: "another client's reservation: 403 forbidden",
    async run(s) {
      await s.call('GET', `/api/v1/reservations/${s.state.confirmed}`, { as: 'client', expect: { status: 403, code: 'forbidden' } });
    },
  },
  {
    name: 'cancel a held reservation; a confirmed one is invalid_state',
    async run(s) {
      const held = await s.call('POST', '/api/v1/reservations', { body: { userId: 'cy', itemId: 'pen', qty: 1 }, expect: { status: 201 } });
      const cancelled = await s.call('POST', `/api/v1/reservations/${held.json.id}/cancel`, { expect: { status: 200 } });
      assert.equal(cancelled.json.status, 'cancelled');
      await s.call('POST', `/api/v1/reservations/${s.state.confirmed}/cancel`, { body: {}, expect: { status: 409, code: 'invalid_state' } });
    },
  },
  {
    name: 'confirm at or after expiresAt: 409 reservation_expired',
    async run(s) {
      const held = await s.call('POST', '/api/v1/reservations', { body: { userId: 'dee', itemId: 'pen', qty: 1, ttlSeconds: 1 }, expect: { status: 201 } });
      await sleep(Date.parse(held.json.expiresAt) - Date.now() + 100);
      await s.call('POST', `/api/v1/reservations/${held.json.id}/confirm`, { expect: { status: 409, code: 'reservation_expired' } });
    },
  },
  {
    name: 'an order: place, read, cancel',
    async run(s) {
      const order = await s.call('POST', '/api/v1/orders', { body: { userId: 'ann', itemId: 'pen', qty: 1 }, expect: { status: 201 } });
      await s.call('GET', `/api/v1/orders/${order.json.id}`, { expect: { status: 200 } });
      const cancelled = await s.call('POST', `/api/v1/orders/${order.json.id}/cancel`, { body: { reason: 'payment failed' }, expect: { status: 200 } });
      assert.equal(cancelled.json.status, 'cancelled');
    },
  },
];
