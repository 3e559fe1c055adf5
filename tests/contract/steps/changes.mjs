// GET /changes and its stream: pages in seq order that match the document,
// long polls, server-sent events, and the refusals.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { send } from '../lib/http.mjs';
import { startServer } from '../lib/server.mjs';

// Moves every change of a stopped server's SQLite journal `days` into the
// past (the journal refuses updates, so its guard is lifted meanwhile).
function ageJournal(db, days) {
  const guard = "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;";
  execFileSync('sqlite3', [db, `DROP TRIGGER journal_no_update; UPDATE journal SET at_ms = at_ms - ${days} * 86400000; ${guard}`]);
}

// Resolves when a stream has sent a whole change event.
const firstChangeEvent = (text) => /id: \d+\nevent: [a-z.]+\ndata: .*\n\n/.test(text);

export default [
  {
    name: 'the change feed pages every change in seq order, each matching Change',
    async run(s) {
      const first = await s.call('GET', '/api/v1/changes?limit=5', { expect: { status: 200 } });
      assert.ok(first.json.changes.length > 0, 'earlier steps made changes');
      first.json.changes.forEach((change, i) => assert.equal(change.seq, i + 1));
      assert.equal(first.json.next, first.json.changes.at(-1).seq);
      const head = Number(first.headers['allot-head']);
      assert.ok(head >= first.json.next, `Allot-Head ${head}`);
      // Every type the session made so far reads back as the document says.
      let after = 0;
      for (;;) {
        const page = await s.call('GET', `/api/v1/changes?after=${after}&limit=1000`, { expect: { status: 200 } });
        if (page.json.changes.length === 0) break;
        assert.equal(page.json.changes[0].seq, after + 1);
        after = page.json.next;
      }
      assert.ok(after >= head);
      const filtered = await s.call('GET', '/api/v1/changes?types=item.created&limit=1000', { expect: { status: 200 } });
      assert.ok(filtered.json.changes.every((change) => change.type === 'item.created'));
    },
  },
  {
    name: 'a client token reads only its own records among the changes',
    async run(s) {
      const page = await s.call('GET', '/api/v1/changes?limit=1000&types=reservation.created', { as: 'client', expect: { status: 200 } });
      const all = await s.call('GET', '/api/v1/changes?limit=1000&types=reservation.created', { expect: { status: 200 } });
      assert.ok(page.json.changes.length < all.json.changes.length, 'others made reservations too');
    },
  },
  {
    name: 'a long poll answers when the next change commits',
    async run(s) {
      const head = Number((await s.call('GET', '/api/v1/changes?limit=1', { expect: { status: 200 } })).headers['allot-head']);
      const waiting = s.call('GET', `/api/v1/changes?after=${head}&waitMs=10000`, { expect: { status: 200 } });
      await s.call('POST', '/api/v1/items', { body: { id: 'changes-mug', onHand: 2 }, expect: { status: 201 } });
      const page = await waiting;
      assert.equal(page.json.changes[0].seq, head + 1);
      assert.equal(page.json.changes[0].type, 'item.created');
      const empty = await s.call('GET', `/api/v1/changes?after=${head + 1}&waitMs=50`, { expect: { status: 200 } });
      assert.deepEqual(empty.json, { changes: [], next: head + 1 });
    },
  },
  {
    name: 'the change stream sends events with ids and resumes after Last-Event-ID',
    async run(s) {
      const stream = await s.openStream('/api/v1/changes/stream?after=1', { until: firstChangeEvent, expect: { status: 200 } });
      stream.close();
      const [, id, type, data] = /id: (\d+)\nevent: ([a-z.]+)\ndata: (.*)\n\n/.exec(stream.body);
      assert.equal(Number(id), 2);
      const change = JSON.parse(data);
      assert.equal(change.type, type);
      s.contract.validateAt('/components/schemas/Change', change, 'a streamed change');
    },
  },
  {
    name: 'bad change queries are 400 and name the parameter',
    async run(s) {
      for (const [query, field] of [['limit=0', 'limit'], ['types=item.nope', 'types'], ['waitMs=30001', 'waitMs'], ['after=-1', 'after'], ['after=999999999', 'after']]) {
        const answer = await s.call('GET', `/api/v1/changes?${query}`, { expect: { status: 400, code: 'invalid_request' } });
        assert.equal(answer.json.error.field, field);
      }
      await s.call('GET', '/api/v1/changes/stream?color=red', { expect: { status: 400, code: 'invalid_request' } });
    },
  },
  {
    name: 'with --changes-retention-days, a cursor before the oldest kept change is 410 cursor_expired',
    async run(s) {
      const old = await startServer();
      const on = (server) => async (method, target, body, expect) =>
        s.checked(method, target, await send({ port: server.port, method, target, body: body && JSON.stringify(body), headers: {} }), expect);
      let call = on(old);
      await call('POST', '/api/v1/items', { id: 'old-mug', onHand: 1 }, { status: 201 });
      await old.stop({ keep: true });
      ageJournal(path.join(old.dir, 'allot.db'), 3);
      const kept = await startServer({ dir: old.dir, args: ['--changes-retention-days', '1'] });
      try {
        call = on(kept);
        const expired = await call('GET', '/api/v1/changes?after=0', undefined, { status: 410, code: 'cursor_expired' });
        assert.equal(expired.json.error.oldest, 2);
        await call('POST', '/api/v1/items/old-mug/adjustments', { delta: 1, reason: 'found' }, { status: 200 });
        const page = await call('GET', '/api/v1/changes', undefined, { status: 200 });
        assert.deepEqual(page.json.changes.map((change) => change.seq), [2], 'from the oldest kept');
        await call('GET', '/api/v1/changes/stream?after=0', undefined, { status: 410, code: 'cursor_expired' });
        // The item itself, and its history, keep every movement.
        const item = await call('GET', '/api/v1/items/old-mug', undefined, { status: 200 });
        assert.equal(item.json.onHand, 2);
      } finally {
        await kept.stop();
      }
    },
  },
];
