// Runs the real allot binary (ALLOT_BINARY, set by ctest) on 127.0.0.1 with a
// free port, in a temporary directory, until stop().
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RunningServer {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startServer(): Promise<RunningServer> {
  const binary = process.env.ALLOT_BINARY;
  if (!binary) throw new Error('ALLOT_BINARY must name the allot binary (ctest sets it)');
  const dir = mkdtempSync(path.join(tmpdir(), 'allot-ts-client-'));
  const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--db', path.join(dir, 'allot.db'),
    '--access-log', 'off', '--sync', 'normal'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`allot did not start within 20 s:\n${output}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`allot exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    baseUrl,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`allot exited with ${code} on SIGTERM:\n${output.slice(-2000)}`);
    },
  };
}
