// Draws: open one (units set aside, seedHash), enter it, run it; read the
// drawn draw with its seed and results and check them by the published
// rule with Node's crypto; refusals: units not there, other attributes,
// entering twice, over maxPerUser, a client opening or running one, after
// it ran (draw_closed), unknown ids.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

const inAMinute = () => new Date(Date.now() + 60_000).toISOString();

export default [
  {
    name: 'open a draw: its units are set aside and only the seed\'s hash is shown',
    async run(s) {
      await s.call('POST', '/api/v1/items', { body: { id: 'dr-shoe', onHand: 5, maxPerUser: 2 }, expect: { status: 201 } });
      const closesAt = inAMinute();
      const body = { id: 'dr-1', itemId: 'dr-shoe', units: 3, closesAt, offerTtlSeconds: 300 };
      const draw = await s.call('POST', '/api/v1/draws', { body, expect: { status: 201 } });
      assert.equal(draw.json.status, 'open');
      assert.match(draw.json.seedHash, /^[0-9a-f]{64}$/);
      assert.equal(draw.json.seed, undefined);
      const again = await s.call('POST', '/api/v1/draws', { body, expect: { status: 200 } });
      assert.equal(again.json.seedHash, draw.json.seedHash);
      const item = await s.call('GET', '/api/v1/items/dr-shoe', { expect: { status: 200 } });
      assert.equal(item.json.held, 3);
      await s.call('POST', '/api/v1/draws', { body: { ...body, units: 2 }, expect: { status: 409, code: 'already_exists' } });
      await s.call('POST', '/api/v1/draws', { body: { id: 'dr-2', itemId: 'dr-shoe', units: 3, closesAt }, expect: { status: 409, code: 'out_of_stock' } });
      await s.call('POST', '/api/v1/draws', { body: { id: 'dr-2', itemId: 'dr-shoe', units: 1, closesAt: '2001-01-01T00:00:00.000Z' }, expect: { status: 400, code: 'invalid_request' } });
      await s.call('POST', '/api/v1/draws', { as: 'client', body: { id: 'dr-3', itemId: 'dr-shoe', units: 1, closesAt }, expect: { status: 403, code: 'forbidden' } });
      await s.call('POST', '/api/v1/draws', { body: { id: 'dr-3', itemId: 'dr-ghost', units: 1, closesAt }, expect: { status: 404, code: 'not_found' } });
      s.state.draw = draw.json;
    },
  },
  {
    name: 'enter a draw once per user, within maxPerUser',
    async run(s) {
      for (const [userId, qty] of [['dr-ann', 2], ['dr-bob', 1], ['dr-cat', 2], ['dr-dan', 1]]) {
        const entry = await s.call('POST', '/api/v1/draws/dr-1/entries', { as: 'client', body: { userId, qty }, expect: { status: 201 } });
        assert.equal(entry.json.drawId, 'dr-1');
      }
      await s.call('POST', '/api/v1/draws/dr-1/entries', { as: 'client', body: { userId: 'dr-ann', qty: 1 }, expect: { status: 409, code: 'already_exists' } });
      await s.call('POST', '/api/v1/draws/dr-1/entries', { body: { userId: 'dr-eve', qty: 3 }, expect: { status: 409, code: 'limit_exceeded' } });
      await s.call('POST', '/api/v1/draws/dr-nope/entries', { body: { userId: 'dr-eve', qty: 1 }, expect: { status: 404, code: 'not_found' } });
      const open = await s.call('GET', '/api/v1/draws/dr-1', { as: 'client', expect: { status: 200 } });
      assert.equal(open.json.entries, 4);
      assert.equal(open.json.seed, undefined);
    },
  },
  {
    name: 'run a draw: anyone can recompute its results; it runs once and closes',
    async run(s) {
      await s.call('POST', '/api/v1/draws/dr-1/run', { as: 'client', expect: { status: 403, code: 'forbidden' } });
      const ran = await s.call('POST', '/api/v1/draws/dr-1/run', { expect: { status: 200 } });
      assert.equal(ran.json.status, 'drawn');
      const seed = Buffer.from(ran.json.seed, 'hex');
      assert.equal(crypto.createHash('sha256').update(seed).digest('hex'), s.state.draw.seedHash);
      const key = (userId) => crypto.createHash('sha256').update(seed).update(userId, 'utf8').digest('hex');
      const order = [...ran.json.results].sort((a, b) => (key(a.userId) < key(b.userId) ? -1 : 1));
      let left = ran.json.units;
      order.forEach((entry, index) => {
        assert.equal(entry.rank, index + 1);
        const fits = entry.qty <= left;
        if (fits) left -= entry.qty;
        assert.equal(entry.outcome, fits ? 'offered' : 'waitlisted');
        assert.equal(entry.reservationId !== undefined, fits);
      });
      const again = await s.call('POST', '/api/v1/draws/dr-1/run', { body: {}, expect: { status: 200 } });
      assert.deepEqual(again.json, ran.json);
      const read = await s.call('GET', '/api/v1/draws/dr-1', { expect: { status: 200 } });
      assert.deepEqual(read.json, ran.json);
      await s.call('POST', '/api/v1/draws/dr-1/entries', { body: { userId: 'dr-fay', qty: 1 }, expect: { status: 409, code: 'draw_closed' } });
      await s.call('POST', '/api/v1/draws/dr-nope/run', { expect: { status: 404, code: 'not_found' } });
      await s.call('GET', '/api/v1/draws/dr-nope', { expect: { status: 404, code: 'not_found' } });
    },
  },
];
