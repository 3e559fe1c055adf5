// The README's five-line session, run through the client against the real
// server; and the README shows exactly the lines that ran.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { session } from '../examples/session.js';
import { startServer, type RunningServer } from './server.js';

// dist/test/ -> the package's own directory.
const packageDir = new URL('../../', import.meta.url);
let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

function codeLines(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

test('the README shows the session the tests run', () => {
  const example = readFileSync(new URL('examples/session.ts', packageDir), 'utf8');
  const ran = /\/\/ session:begin\n([\s\S]*?)\n\s*\/\/ session:end/.exec(example)?.[1];
  assert.ok(ran, 'examples/session.ts marks its session');
  const readme = readFileSync(new URL('README.md', packageDir), 'utf8');
  const shown = /## Five-line session[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(shown, 'README.md has a ts block under "Five-line session"');
  // The README adds the import and the address; the rest is line for line.
  assert.deepEqual(codeLines(shown).filter((line) => !line.startsWith('import ') && !line.startsWith('const baseUrl')),
    codeLines(ran).map((line) => line.replace('{ baseUrl, token }', '{ baseUrl }')));
});

test('the README session: hold 2 of 3 mugs, confirm, 1 left', async () => {
  const { hold, mug } = await session(server.baseUrl);
  assert.equal(hold?.status, 'held');
  assert.deepEqual(
    { onHand: mug?.onHand, held: mug?.held, available: mug?.available, sold: mug?.sold },
    { onHand: 1, held: 0, available: 1, sold: 2 });
});
