// The contract session, in order. Each file holds the steps of one part of
// the API; a step sends requests through `s.call` (or `s.openStream`), which
// checks every answer against docs/openapi.json. See ../README.md.
import service from './service.mjs';
import items from './items.mjs';
import reservations from './reservations.mjs';
import money from './money.mjs';
import seats from './seats.mjs';
import limits from './limits.mjs';
import batch from './batch.mjs';
import changes from './changes.mjs';
import queries from './queries.mjs';
import webhooks from './webhooks.mjs';
import waitlists from './waitlists.mjs';
import draws from './draws.mjs';

export default [...service, ...items, ...reservations, ...money, ...seats, ...batch, ...changes, ...queries, ...webhooks, ...waitlists, ...draws, ...limits];
