// One scripted session against the real binary: every route and every error
// code of docs/openapi.json, every answer checked against the document. It
// fails on any mismatch (an undocumented status or media type, a body or
// header that breaks its schema) and, at the end, on any route or error code
// of the document that no step exercised.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Contract } from './lib/contract.mjs';
import { startServer } from './lib/server.mjs';
import { Session, kTokens } from './lib/session.mjs';
import steps from './steps/index.mjs';

const document = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url)));
const contract = new Contract(document);
let server;
let session;

before(async () => {
  server = await startServer({ tokens: kTokens });
  session = new Session({ server, contract });
});

after(async () => {
  await server?.stop();
});

for (const step of steps) {
  test(step.name, async () => {
    await step.run(session);
  });
}

test('the session exercised every route and every error code of the document', (t) => {
  const missing = contract.uncovered();
  t.diagnostic(`${contract.answersChecked} answers checked; routes ${contract.exercised.size} of ${contract.operations().length}; ` +
    `error codes ${contract.errorCodesSeen.size} of ${contract.errorCodes().length}`);
  assert.deepEqual(missing, [],
    `docs/openapi.json has what no step exercised; add a step in tests/contract/steps/ (see tests/contract/README.md):\n  ${missing.join('\n  ')}`);
});
