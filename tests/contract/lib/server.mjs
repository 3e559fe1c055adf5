// Runs the real build/allot on 127.0.0.1 with a free port, in a temporary
// directory of its own, and stops it with SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function allotBinary() {
  const binary = process.env.ALLOT_BINARY;
  if (!binary) throw new Error('ALLOT_BINARY must name the allot binary (ctest sets it)');
  return binary;
}

// tokens: { admin: 'secret', ... } as `<role> <principal> <token>` lines,
// one principal per role, named after it. `dir`: the directory of a server
// stopped with { keep: true }, to serve its database again.
export async function startServer({ tokens, args = [], dir: reuse } = {}) {
  const dir = reuse ?? mkdtempSync(path.join(tmpdir(), 'allot-contract-'));
  const db = path.join(dir, 'allot.db');
  const flags = ['serve', '--listen', '127.0.0.1:0', '--db', db, '--access-log', 'off', ...args];
  if (tokens) {
    const file = path.join(dir, 'tokens');
    writeFileSync(file, Object.entries(tokens).map(([role, token]) => `${role} ${role}-principal ${token}\n`).join(''));
    flags.push('--tokens', file);
  }
  const child = spawn(allotBinary(), flags, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`allot did not start within 20 s:\n${output}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`allot exited (${code ?? signal}) before listening:\n${output}`));
    });
  });

  return {
    port,
    dir,
    db,
    output: () => output,
    async stop({ keep = false } = {}) {
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      if (!keep) rmSync(dir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`allot exited with ${code ?? signal} on SIGTERM:\n${output.slice(-2000)}`);
    },
  };
}
