// The flash sale through the client: 200 buyers at once for 50 units,
// exactly 50 holds, 150 typed out_of_stock refusals, nothing oversold.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAllotClient } from '../src/index.js';
import { startServer, type RunningServer } from './server.js';

const kUnits = 50;
const kBuyers = 200;
let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

test(`${kBuyers} concurrent reservations for ${kUnits} units: exactly ${kUnits} win`, async () => {
  const allot = createAllotClient({ baseUrl: server.baseUrl });
  const created = await allot.POST('/api/v1/items', { body: { id: 'drop', onHand: kUnits } });
  assert.equal(created.response.status, 201);

  const answers = await Promise.all(Array.from({ length: kBuyers }, (_, i) =>
    allot.POST('/api/v1/reservations', { body: { userId: `buyer-${i}`, itemId: 'drop', qty: 1 } })));

  const won = answers.filter(({ data }) => data !== undefined);
  const refused = answers.filter(({ error }) => error !== undefined);
  assert.equal(won.length, kUnits);
  assert.equal(refused.length, kBuyers - kUnits);
  for (const { data, response } of won) {
    assert.equal(response.status, 201);
    assert.equal(data?.status, 'held');
  }
  for (const { error, response } of refused) {
    assert.equal(response.status, 409);
    assert.equal(error?.error.code, 'out_of_stock');
  }
  assert.equal(new Set(won.map(({ data }) => data?.id)).size, kUnits, 'every hold is its own');

  const { data: drop } = await allot.GET('/api/v1/items/{id}', { params: { path: { id: 'drop' } } });
  assert.deepEqual({ onHand: drop?.onHand, held: drop?.held, available: drop?.available },
    { onHand: kUnits, held: kUnits, available: 0 });
});
