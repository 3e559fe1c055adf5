// The five-line session of README.md, as code the tests run (test/readme.test.ts
// checks that the README shows exactly these lines).
import { createAllotClient } from '../src/index.js';

export async function session(baseUrl: string, token?: string) {
  // session:begin
  const allot = createAllotClient({ baseUrl, token });
  await allot.POST('/api/v1/items', { body: { id: 'mug', name: 'Mug', onHand: 3 } });
  const { data: hold } = await allot.POST('/api/v1/reservations', { body: { userId: 'ann', itemId: 'mug', qty: 2, ttlSeconds: 300 } });
  await allot.POST('/api/v1/reservations/{id}/confirm', { params: { path: { id: hold!.id } }, body: {} });
  const { data: mug } = await allot.GET('/api/v1/items/{id}', { params: { path: { id: 'mug' } } }); // onHand 1, held 0, available 1, sold 2
  // session:end
  return { hold, mug };
}
