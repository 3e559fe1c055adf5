// The service endpoints, the document itself, and requests that match no
// operation: an unknown path and a known path with another method.
import assert from 'node:assert/strict';

export default [
  {
    name: 'probes and metrics answer without a token',
    async run(s) {
      await s.call('GET', '/healthz', { as: null, expect: { status: 200 } });
      await s.call('GET', '/readyz', { as: null, expect: { status: 200 } });
      const metrics = await s.call('GET', '/metrics', { as: null, expect: { status: 200 } });
      assert.match(metrics.body, /allot_http_requests_total/);
    },
  },
  {
    name: 'the dashboard page and the served document',
    async run(s) {
      const page = await s.call('GET', '/', { as: null, expect: { status: 200 } });
      assert.match(page.body, /<html/i);
      const served = await s.call('GET', '/api/v1/openapi.json', { expect: { status: 200 } });
      assert.deepEqual(served.json, s.contract.document, 'the binary serves docs/openapi.json');
    },
  },
  {
    name: 'no token: 401 unauthorized, with the challenge',
    async run(s) {
      const answer = await s.call('GET', '/api/v1/openapi.json', { as: null, expect: { status: 401, code: 'unauthorized' } });
      assert.match(answer.headers['www-authenticate'] ?? '', /^Bearer/);
    },
  },
  {
    name: 'an unknown path: 404 not_found, resource route',
    async run(s) {
      await s.call('GET', '/api/v1/no-such-thing', { expect: { status: 404, code: 'not_found' } });
    },
  },
  {
    name: 'a known path with another method: 405 method_not_allowed with Allow',
    async run(s) {
      await s.call('DELETE', '/api/v1/items', { expect: { status: 405, code: 'method_not_allowed' } });
    },
  },
];
