// The helpers on a fake fetch: what goes out and what is retried, exactly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allItems, createAllotClient, pages, retryingFetch, withIdempotencyKeys } from '../src/index.js';
import { retryAfterMs } from '../src/retry.js';

interface Sent {
  method: string;
  url: string;
  key: string | null;
  body: string;
}

// A fetch that records each request and answers from `answers` in turn.
function fakeFetch(answers: Array<() => Response>) {
  const sent: Sent[] = [];
  const fetch = async (request: Request) => {
    sent.push({ method: request.method, url: request.url, key: request.headers.get('Idempotency-Key'), body: await request.text() });
    const next = answers.shift();
    assert.ok(next, `unexpected request ${request.method} ${request.url}`);
    return next();
  };
  return { fetch, sent };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const overloaded = (retryAfter?: string) =>
  json(503, { error: { code: 'overloaded', message: 'The write queue is full.' } }, retryAfter ? { 'Retry-After': retryAfter } : {});
const item = { id: 'mug', name: null, onHand: 3, held: 0, available: 3, sold: 0, maxPerUser: null };

test('503 overloaded is retried after Retry-After, with the same key and body', async () => {
  const { fetch, sent } = fakeFetch([overloaded('2'), overloaded('1'), json(201, item)]);
  const waits: number[] = [];
  const allot = createAllotClient({ baseUrl: 'http://allot.test', fetch, retry: { sleep: async (ms) => void waits.push(ms) } });
  const { data, response } = await allot.POST('/api/v1/items', { body: { id: 'mug', onHand: 3 } });
  assert.equal(response.status, 201);
  assert.deepEqual(data, item);
  assert.deepEqual(waits, [2000, 1000]);
  assert.equal(sent.length, 3);
  assert.ok(sent[0]!.key, 'a POST gets an Idempotency-Key');
  assert.ok(sent.every((s) => s.key === sent[0]!.key && s.body === '{"id":"mug","onHand":3}'));
});

test('retries stop after `retries`; the last 503 is returned', async () => {
  const { fetch, sent } = fakeFetch([overloaded('1'), overloaded('1'), overloaded('1')]);
  const retrying = retryingFetch(fetch, { retries: 2, sleep: async () => {} });
  const response = await retrying(new Request('http://allot.test/api/v1/items', { method: 'POST', body: '{}' }));
  assert.equal(response.status, 503);
  assert.equal(sent.length, 3);
});

test('503 unavailable and 409s are not retried', async () => {
  for (const answer of [json(503, { error: { code: 'unavailable', message: 'Storage failed.' } }),
    json(409, { error: { code: 'out_of_stock', message: 'No.' } })]) {
    const { fetch, sent } = fakeFetch([answer]);
    const response = await retryingFetch(fetch, { sleep: async () => assert.fail('no wait') })(new Request('http://allot.test/x'));
    assert.equal(sent.length, 1);
    assert.notEqual(response.status, 200);
  }
});

test('Retry-After: seconds, an HTTP date, or the fallback', () => {
  assert.equal(retryAfterMs('3', 500), 3000);
  assert.equal(retryAfterMs(null, 500), 500);
  assert.equal(retryAfterMs('soon', 500), 500);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', 500, Date.parse('2026-01-01T00:00:00Z')), 5000);
});

test('a key the caller gives is kept; GETs get none', async () => {
  const { fetch, sent } = fakeFetch([json(201, item), json(200, item)]);
  const allot = createAllotClient({ baseUrl: 'http://allot.test', fetch });
  await allot.POST('/api/v1/items', { body: { id: 'mug', onHand: 3 }, headers: { 'Idempotency-Key': 'order-42' } });
  await allot.GET('/api/v1/items/{id}', { params: { path: { id: 'mug' } } });
  assert.deepEqual(sent.map((s) => s.key), ['order-42', null]);
  const middleware = withIdempotencyKeys(() => 'fixed');
  const request = new Request('http://allot.test/api/v1/orders', { method: 'POST' });
  assert.equal((middleware.onRequest as Function)({ request }).headers.get('Idempotency-Key'), 'fixed');
});

test('paging follows next as after until it is null', async () => {
  const page = (ids: string[], next: string | null) => json(200, { items: ids.map((id) => ({ ...item, id })), next });
  const { fetch, sent } = fakeFetch([page(['a', 'b'], 'b'), page(['c', 'd'], 'd'), page(['e'], null)]);
  const allot = createAllotClient({ baseUrl: 'http://allot.test', fetch });
  const ids: string[] = [];
  for await (const each of allItems(allot, 2)) ids.push(each.id);
  assert.deepEqual(ids, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(sent.map((s) => new URL(s.url).search), ['?limit=2', '?limit=2&after=b', '?limit=2&after=d']);
  const empty: number[] = [];
  for await (const n of pages<number>(async () => ({ entries: [], next: null }))) empty.push(n);
  assert.deepEqual(empty, []);
});
