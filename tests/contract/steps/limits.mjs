// What the server refuses before it reads a request (target and header
// limits), what it refuses when full (stream slots), and what it answers
// when storage fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const kMaxStreams = 256; // docs/api.md: at most 256 change streams are open at once

// Resolves once a stream has sent its first bytes (the reconnect delay).
const opened = (text) => text.startsWith('retry: ');

export default [
  {
    name: 'every stream slot taken: 503 overloaded with Retry-After',
    async run(s) {
      const open = [];
      try {
        // A stream closed by an earlier step frees its slot when the server
        // next polls it, so a refusal before all are ours is retried.
        const deadline = Date.now() + 5000;
        while (open.length < kMaxStreams) {
          const stream = await s.openStream('/api/v1/changes/stream', { until: opened });
          if (stream.status === 200) {
            open.push(stream);
            continue;
          }
          assert.ok(Date.now() < deadline, `only ${open.length} of ${kMaxStreams} streams could be opened`);
          await sleep(50);
        }
        const refused = await s.openStream('/api/v1/changes/stream', { expect: { status: 503, code: 'overloaded' } });
        assert.ok(Number(refused.headers['retry-after']) >= 1);
      } finally {
        for (const stream of open) stream.close();
      }
    },
  },
  {
    name: 'a request target over 8 KiB: 414 uri_too_long',
    async run(s) {
      await s.call('GET', `/api/v1/items/${'x'.repeat(9000)}`, { expect: { status: 414, code: 'uri_too_long' } });
    },
  },
  {
    name: 'a header field over 16 KiB: 431 headers_too_large',
    async run(s) {
      await s.call('GET', '/api/v1/items', { headers: { 'x-padding': 'x'.repeat(17 * 1024) }, expect: { status: 431, code: 'headers_too_large' } });
    },
  },
  {
    name: 'storage that cannot commit: 503 unavailable, then writes work again',
    async run(s) {
      // Another process holds SQLite's write lock past the server's busy
      // timeout (5 s), so the batch cannot commit.
      const locker = spawn('sqlite3', [s.server.db], { stdio: ['pipe', 'pipe', 'inherit'] });
      try {
        locker.stdin.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
        const [chunk] = await once(locker.stdout, 'data');
        assert.match(String(chunk), /locked/);
        await s.call('POST', '/api/v1/items', { body: { id: 'late', onHand: 1 }, expect: { status: 503, code: 'unavailable' } });
      } finally {
        locker.stdin.end('ROLLBACK;\n');
        await once(locker, 'exit');
      }
      await s.call('POST', '/api/v1/items', { body: { id: 'late', onHand: 1 }, expect: { status: 201 } });
    },
  },
];
