// Idempotency keys: allot runs a POST with a key once, and answers a repeat
// with the stored answer (Idempotent-Replayed: true), so a client may resend
// a write whose answer it never saw without doing it twice.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'openapi-fetch';

// A fresh key (1..255 printable ASCII, as the API requires).
export function idempotencyKey(): string {
  return randomUUID();
}

// openapi-fetch middleware: gives every POST without an Idempotency-Key a
// fresh one. Retries reuse the request, and so its key.
export function withIdempotencyKeys(newKey: () => string = idempotencyKey): Middleware {
  return {
    onRequest({ request }) {
      if (request.method === 'POST' && !request.headers.has('Idempotency-Key')) {
        request.headers.set('Idempotency-Key', newKey());
      }
      return request;
    },
  };
}
