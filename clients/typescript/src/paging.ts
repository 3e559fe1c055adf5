// Paging through cursors: a list answer carries `next` (null on the last
// page), passed back as `after` for the page after it.
import type { AllotClient, Item } from './index.js';

export interface Page<T> {
  entries: T[];
  next: string | null;
}

// Every entry of every page, in order: `fetchPage(after)` reads the page
// after the cursor (undefined for the first).
export async function* pages<T>(fetchPage: (after: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const page = await fetchPage(after);
    yield* page.entries;
    if (page.next === null) return;
    after = page.next;
  }
}

// Every item, by id, `limit` per request. Throws on a refusal.
export function allItems(client: AllotClient, limit = 100): AsyncGenerator<Item> {
  return pages(async (after) => {
    const { data, error, response } = await client.GET('/api/v1/items', { params: { query: { limit, after } } });
    if (!data) throw new Error(`GET /api/v1/items answered ${response.status}: ${JSON.stringify(error)}`);
    return { entries: data.items, next: data.next };
  });
}
