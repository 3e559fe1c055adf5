#!/usr/bin/env node
// Checks a finished allot draw from what the server published, with Node's
// own crypto and none of allot's code (docs/draws.md explains the rule):
//
//   curl -s localhost:8080/api/v1/draws/drop-1 > draw.json
//   node scripts/verify-draw.mjs draw.json [seedHash-published-at-opening]
//
// 1. seedHash is the SHA-256 of the seed's bytes (and, if given, equals the
//    hash published when the draw opened: the seed was fixed before entries).
// 2. Sorting the entries by SHA-256(seed bytes || userId), ascending, gives
//    exactly the published ranks.
// 3. Walking that order with the draw's units, each entry whose whole qty
//    still fits is "offered", every other one "waitlisted".
// Exit 0 and one line when all holds; exit 1 naming each mismatch.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [file, published] = process.argv.slice(2);
if (!file) {
  console.error('usage: verify-draw.mjs DRAW.json [SEED_HASH_PUBLISHED_AT_OPENING]');
  process.exit(2);
}
const draw = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
const problems = [];
const sha256 = (...parts) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

if (draw.status !== 'drawn' || typeof draw.seed !== 'string') {
  problems.push(`the draw is ${draw.status}: its seed is published only once it ran`);
} else {
  const seed = Buffer.from(draw.seed, 'hex');
  if (seed.length !== 32 || seed.toString('hex') !== draw.seed.toLowerCase()) problems.push('the seed is not 32 bytes of hex');
  if (sha256(seed) !== draw.seedHash) problems.push(`SHA-256(seed) is ${sha256(seed)}, not the seedHash ${draw.seedHash}`);
  if (published && published !== draw.seedHash) problems.push(`seedHash ${draw.seedHash} is not the one published at opening (${published})`);

  const results = draw.results ?? [];
  const order = results
    .map((entry) => ({ entry, key: sha256(seed, Buffer.from(entry.userId, 'utf8')) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let left = draw.units;
  order.forEach(({ entry }, index) => {
    const rank = index + 1;
    if (entry.rank !== rank) problems.push(`${entry.userId}: rank ${entry.rank}, recomputed ${rank}`);
    const fits = entry.qty <= left;
    if (fits) left -= entry.qty;
    const outcome = fits ? 'offered' : 'waitlisted';
    if (entry.outcome !== outcome) problems.push(`${entry.userId}: ${entry.outcome}, recomputed ${outcome}`);
  });
  if (problems.length === 0) {
    const offers = results.filter((entry) => entry.outcome === 'offered').length;
    console.log(`verified: draw ${draw.id}, ${results.length} entries, ${offers} offers, ${left} of ${draw.units} units left`);
  }
}
for (const problem of problems.slice(0, 50)) console.error(`mismatch: ${problem}`);
process.exit(problems.length === 0 ? 0 : 1);
