// Events and seats: create, read, list by status, and a taken seat.
import assert from 'node:assert/strict';

export default [
  {
    name: 'create an event, read it, list its seats',
    async run(s) {
      await s.call('POST', '/api/v1/events', { body: { id: 'gig', name: 'Gig', seats: ['A-1', 'A-2'] }, expect: { status: 201 } });
      const gig = await s.call('GET', '/api/v1/events/gig', { expect: { status: 200 } });
      assert.equal(gig.json.seats.available, 2);
      await s.call('GET', '/api/v1/events/gig/seats', { expect: { status: 200 } });
      await s.call('GET', '/api/v1/events/gig/seats?status=sideways', { expect: { status: 400, code: 'invalid_request' } });
    },
  },
  {
    name: 'a held seat: listed as held, and 409 seat_unavailable to the next',
    async run(s) {
      await s.call('POST', '/api/v1/reservations', { body: { userId: 'ann', lines: [{ eventId: 'gig', seat: 'A-1' }, { itemId: 'pen', qty: 1 }] }, expect: { status: 201 } });
      const held = await s.call('GET', '/api/v1/events/gig/seats?status=held', { expect: { status: 200 } });
      assert.deepEqual(held.json.seats, [{ seat: 'A-1', status: 'held' }]);
      await s.call('POST', '/api/v1/reservations', { body: { userId: 'bob', lines: [{ eventId: 'gig', seat: 'A-1' }] }, expect: { status: 409, code: 'seat_unavailable' } });
    },
  },
];
