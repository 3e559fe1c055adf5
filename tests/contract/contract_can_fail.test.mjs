// The contract checker must be able to fail. Real answers from the real
// binary are checked against a copy of docs/openapi.json with one thing
// wrong in it; the untouched document passes the same answers (the control),
// so what the copy trips on is the one change.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Contract, ContractViolation } from './lib/contract.mjs';
import { startServer } from './lib/server.mjs';
import { Session } from './lib/session.mjs';

const original = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url)));
const copy = () => structuredClone(original);
let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

// Runs `requests` through a session that checks against `document`.
async function runWith(document, requests) {
  const session = new Session({ server, contract: new Contract(document) });
  for (const [method, target, body] of requests) await session.call(method, target, { as: null, body });
  return session.contract;
}

const kItemRequests = [
  ['POST', '/api/v1/items', { id: 'cup', onHand: 3 }],
  ['GET', '/api/v1/items/cup'],
];

test('one wrong type in a schema: the real answer is refused', async () => {
  await runWith(original, kItemRequests);
  const wrong = copy();
  wrong.components.schemas.Item.properties.onHand.type = 'string';
  await assert.rejects(runWith(wrong, kItemRequests),
    (error) => error instanceof ContractViolation && /\/onHand must be string/.test(error.message));
});

test('a status the document does not list for the operation is refused', async () => {
  await runWith(original, kItemRequests);
  const wrong = copy();
  delete wrong.paths['/api/v1/items/{id}'].get.responses['200'];
  await assert.rejects(runWith(wrong, kItemRequests),
    (error) => error instanceof ContractViolation && /status 200 is not documented for GET \/api\/v1\/items\/\{id\}/.test(error.message));
});

test('a media type the document does not list is refused', async () => {
  const requests = [['GET', '/metrics']];
  await runWith(original, requests);
  const wrong = copy();
  const ok = wrong.paths['/metrics'].get.responses['200'];
  ok.content = { 'application/json': ok.content['text/plain'] };
  await assert.rejects(runWith(wrong, requests),
    (error) => error instanceof ContractViolation && /Content-Type text\/plain is not documented/.test(error.message));
});

test('a header that breaks its schema is refused', async () => {
  const requests = [['POST', '/api/v1/items', { id: 'saucer', onHand: 1 }]];
  const wrong = copy();
  wrong.components.headers['X-Request-Id'].schema = { type: 'string', maxLength: 1 };
  await assert.rejects(runWith(wrong, requests),
    (error) => error instanceof ContractViolation && /header X-Request-Id/.test(error.message));
});

test('a route or an error code in the document that nothing exercised is reported', async () => {
  const grown = copy();
  grown.paths['/api/v1/batch'] = { post: { responses: { 200: { description: 'results' } } } };
  grown.components.schemas.ErrorCode.enum.push('draw_closed');
  const contract = await runWith(grown, kItemRequests);
  const missing = contract.uncovered();
  assert.ok(missing.includes('route never exercised: POST /api/v1/batch'), missing.join('\n'));
  assert.ok(missing.includes('error code never answered: draw_closed'), missing.join('\n'));
  assert.ok(!missing.includes('route never exercised: GET /api/v1/items/{id}'), 'what ran is covered');
});
