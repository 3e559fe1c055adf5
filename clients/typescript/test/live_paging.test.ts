// allItems pages through the real server's cursors: every item once, in id
// order, whatever the page size.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { allItems, createAllotClient } from '../src/index.js';
import { startServer, type RunningServer } from './server.js';

let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

test('allItems reads every item across pages', async () => {
  const allot = createAllotClient({ baseUrl: server.baseUrl });
  const ids = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7'];
  for (const id of [...ids].reverse()) {
    const { response } = await allot.POST('/api/v1/items', { body: { id, onHand: 1 } });
    assert.equal(response.status, 201);
  }
  for (const limit of [1, 2, 3, 7, 100]) {
    const seen: string[] = [];
    for await (const item of allItems(allot, limit)) seen.push(item.id);
    assert.deepEqual(seen, ids, `limit ${limit}`);
  }
});
