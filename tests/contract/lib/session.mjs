// What a step talks to: one running server, the document's checker, and
// helpers that send a request, check the answer against the document, and
// assert what the step expects of it.
import assert from 'node:assert/strict';
import { send, openStream } from './http.mjs';

export const kTokens = { admin: 'contract-admin-token', client: 'contract-client-token' };

export class Session {
  constructor({ server, contract }) {
    this.server = server;
    this.contract = contract;
    this.state = {}; // ids that later steps use (reservation ids, ...)
  }

  // as: 'admin' (default), 'client', or null for no token.
  headersFor(as, headers) {
    const out = { ...headers };
    if (as) out.authorization = `Bearer ${kTokens[as]}`;
    return out;
  }

  // Sends one request, checks the answer against the document, then against
  // `expect`: { status, code } (code: the error code of a refusal).
  // Returns the answer with `json` parsed when it is JSON.
  async call(method, target, { body, headers = {}, as = 'admin', expect } = {}) {
    const payload = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
    const answer = await send({ port: this.server.port, method, target, headers: this.headersFor(as, headers), body: payload });
    return this.checked(method, target, answer, expect);
  }

  // Opens GET `target` as a stream and reads until `until(text)`; the
  // answer is checked like any other (a stream's media type, since the
  // document gives its body as a string). The caller closes it.
  async openStream(target, { as = 'admin', until, expect } = {}) {
    const answer = await openStream({ port: this.server.port, target, headers: this.headersFor(as, {}), until });
    try {
      return this.checked('GET', target, answer, expect);
    } catch (error) {
      answer.close();
      throw error;
    }
  }

  checked(method, target, answer, expect) {
    this.contract.check(method, target, answer);
    if ((answer.headers['content-type'] ?? '').startsWith('application/json') && answer.body) {
      answer.json = JSON.parse(answer.body);
    }
    if (expect) this.expectation(method, target, answer, expect);
    return answer;
  }

  expectation(method, target, answer, expect) {
    const what = `${method} ${target.slice(0, 80)}`;
    assert.equal(answer.status, expect.status, `${what}: status ${answer.status}, body ${answer.body.slice(0, 300)}`);
    if (expect.code) {
      assert.equal(answer.json?.error?.code, expect.code, `${what}: ${answer.body.slice(0, 300)}`);
    }
  }
}
