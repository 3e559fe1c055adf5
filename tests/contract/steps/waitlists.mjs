// Waiting lists: join while nothing is free (withheld units, positions),
// a cancel that offers the freed units to the head in the same answer's
// batch, read, list, leave; refusals: twice, over maxPerUser, another
// client's entry, an unknown item or entry, a fulfilled entry leaving.
import assert from 'node:assert/strict';

export default [
  {
    name: 'join a waiting list while nothing is free: positions, and the public sees 0',
    async run(s) {
      await s.call('POST', '/api/v1/items', { body: { id: 'wl-mug', onHand: 2, maxPerUser: 2 }, expect: { status: 201 } });
      const hold = await s.call('POST', '/api/v1/reservations', { as: 'client', body: { userId: 'wl-a', itemId: 'wl-mug', qty: 2 }, expect: { status: 201 } });
      const b = await s.call('POST', '/api/v1/items/wl-mug/waitlist', { as: 'client', body: { userId: 'wl-b', qty: 1, offerTtlSeconds: 60 }, expect: { status: 201 } });
      assert.match(b.json.id, /^wl_/);
      assert.equal(b.json.status, 'waiting');
      assert.equal(b.json.position, 1);
      const c = await s.call('POST', '/api/v1/items/wl-mug/waitlist', { body: { userId: 'wl-c', qty: 2 }, expect: { status: 201 } });
      assert.equal(c.json.position, 2);
      s.state.waitlist = { hold: hold.json.id, b: b.json.id, c: c.json.id };
    },
  },
  {
    name: 'a cancel offers the freed units to the head; the rest are withheld',
    async run(s) {
      const { hold, b, c } = s.state.waitlist;
      await s.call('POST', `/api/v1/reservations/${hold}/cancel`, { as: 'client', expect: { status: 200 } });
      const offered = await s.call('GET', `/api/v1/waitlist/${b}`, { as: 'client', expect: { status: 200 } });
      assert.equal(offered.json.status, 'offered');
      assert.match(offered.json.reservationId, /^rsv_/);
      const offer = await s.call('GET', `/api/v1/reservations/${offered.json.reservationId}`, { as: 'client', expect: { status: 200 } });
      assert.equal(offer.json.userId, 'wl-b');
      const waiting = await s.call('GET', `/api/v1/waitlist/${c}`, { expect: { status: 200 } });
      assert.equal(waiting.json.position, 1);
      const item = await s.call('GET', '/api/v1/items/wl-mug', { expect: { status: 200 } });
      assert.equal(item.json.withheld, 1);
      assert.equal(item.json.available, 0);
      await s.call('POST', '/api/v1/reservations', { body: { userId: 'wl-public', itemId: 'wl-mug', qty: 1 }, expect: { status: 409, code: 'out_of_stock' } });
      // The feed: the cancel, then the offer's reservation and the entry's
      // offer, at the next seqs (one batch).
      const seen = [];
      for (let after = 0; ;) {
        const page = await s.call('GET', `/api/v1/changes?after=${after}&limit=1000&types=reservation.cancelled,reservation.created,waitlist.offered`, { expect: { status: 200 } });
        if (page.json.changes.length === 0) break;
        seen.push(...page.json.changes);
        after = page.json.next;
      }
      const last = seen.slice(-3);
      assert.deepEqual(last.map((change) => change.type), ['reservation.cancelled', 'reservation.created', 'waitlist.offered']);
      assert.equal(last[0].data.id, hold);
      assert.equal(last[2].data.id, b);
      assert.equal(last[2].seq, last[0].seq + 2);
      s.state.waitlist.offer = offered.json.reservationId;
    },
  },
  {
    name: 'list a waiting list in queue order (admin), and page it',
    async run(s) {
      const { b, c } = s.state.waitlist;
      const first = await s.call('GET', '/api/v1/items/wl-mug/waitlist?limit=1', { expect: { status: 200 } });
      assert.deepEqual(first.json.entries.map((e) => e.id), [b]);
      assert.equal(first.json.next, b);
      const rest = await s.call('GET', `/api/v1/items/wl-mug/waitlist?after=${first.json.next}`, { expect: { status: 200 } });
      assert.deepEqual(rest.json.entries.map((e) => e.id), [c]);
      assert.equal(rest.json.next, null);
      await s.call('GET', '/api/v1/items/wl-mug/waitlist', { as: 'client', expect: { status: 403, code: 'forbidden' } });
      await s.call('GET', '/api/v1/items/wl-ghost/waitlist', { expect: { status: 404, code: 'not_found' } });
      await s.call('GET', '/api/v1/items/wl-mug/waitlist?limit=0', { expect: { status: 400, code: 'invalid_request' } });
    },
  },
  {
    name: 'leave a waiting list; a confirmed offer is fulfilled and cannot leave',
    async run(s) {
      const { b, c, offer } = s.state.waitlist;
      const left = await s.call('POST', `/api/v1/waitlist/${c}/leave`, { expect: { status: 200 } });
      assert.equal(left.json.status, 'left');
      const item = await s.call('GET', '/api/v1/items/wl-mug', { expect: { status: 200 } });
      assert.equal(item.json.withheld, 0);
      assert.equal(item.json.available, 1);
      await s.call('POST', `/api/v1/reservations/${offer}/confirm`, { as: 'client', expect: { status: 200 } });
      const fulfilled = await s.call('GET', `/api/v1/waitlist/${b}`, { as: 'client', expect: { status: 200 } });
      assert.equal(fulfilled.json.status, 'fulfilled');
      await s.call('POST', `/api/v1/waitlist/${b}/leave`, { as: 'client', body: {}, expect: { status: 409, code: 'invalid_state' } });
    },
  },
  {
    name: 'waiting lists refuse joining twice, passing maxPerUser, others\' entries and unknown ids',
    async run(s) {
      await s.call('POST', '/api/v1/reservations', { body: { userId: 'wl-d', itemId: 'wl-mug', qty: 1 }, expect: { status: 201 } });
      const d = await s.call('POST', '/api/v1/items/wl-mug/waitlist', { body: { userId: 'wl-e', qty: 1 }, expect: { status: 201 } });
      const twice = await s.call('POST', '/api/v1/items/wl-mug/waitlist', { body: { userId: 'wl-e', qty: 2 }, expect: { status: 409, code: 'already_exists' } });
      assert.equal(twice.json.error.id, d.json.id);
      await s.call('POST', '/api/v1/items/wl-mug/waitlist', { body: { userId: 'wl-f', qty: 3 }, expect: { status: 409, code: 'limit_exceeded' } });
      await s.call('POST', '/api/v1/items/wl-mug/waitlist', { body: { userId: 'wl-f', qty: 0 }, expect: { status: 400, code: 'invalid_request' } });
      await s.call('POST', '/api/v1/items/wl-ghost/waitlist', { body: { userId: 'wl-f', qty: 1 }, expect: { status: 404, code: 'not_found' } });
      await s.call('GET', `/api/v1/waitlist/${d.json.id}`, { as: 'client', expect: { status: 403, code: 'forbidden' } });
      await s.call('POST', `/api/v1/waitlist/${d.json.id}/leave`, { as: 'client', expect: { status: 403, code: 'forbidden' } });
      await s.call('GET', '/api/v1/waitlist/wl_nope', { expect: { status: 404, code: 'not_found' } });
      await s.call('POST', '/api/v1/waitlist/wl_nope/leave', { expect: { status: 404, code: 'not_found' } });
    },
  },
];
