// Retries of 503 `overloaded`: the server's write queue or connection slots
// were full and nothing was done, so sending the same request again is safe;
// Retry-After (seconds) says when. Other answers, 503 `unavailable`
// included (storage failed), are returned as they are.

export interface RetryOptions {
  // Attempts after the first (default 5).
  retries?: number;
  // Wait when Retry-After is missing or unreadable (default 1000 ms).
  fallbackDelayMs?: number;
  // Longest wait honoured (default 30 s): a larger Retry-After is clamped.
  maxDelayMs?: number;
  // How to wait (tests pass a fake).
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// The wait a Retry-After header asks for, in ms: delta-seconds or an HTTP date.
export function retryAfterMs(header: string | null, fallbackMs: number, now = Date.now()): number {
  if (header === null) return fallbackMs;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - now);
}

async function isOverloaded(response: Response): Promise<boolean> {
  if (response.status !== 503) return false;
  try {
    const body = (await response.clone().json()) as { error?: { code?: string } };
    return body.error?.code === 'overloaded';
  } catch {
    return false; // not allot's error body: nothing says it is safe to resend
  }
}

// Wraps `fetch` so that a 503 `overloaded` is retried after Retry-After, up
// to `retries` times; the last answer is returned whatever it is.
export function retryingFetch(
  fetch: (request: Request) => Promise<Response>,
  options: RetryOptions = {},
): (request: Request) => Promise<Response> {
  const retries = options.retries ?? 5;
  const fallbackDelayMs = options.fallbackDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  return async (request: Request) => {
    for (let attempt = 0; ; ++attempt) {
      // A body can be sent once: each attempt sends a copy.
      const response = await fetch(attempt < retries ? request.clone() : request);
      if (attempt >= retries || !(await isOverloaded(response))) return response;
      await response.body?.cancel();
      await sleep(Math.min(maxDelayMs, retryAfterMs(response.headers.get('Retry-After'), fallbackDelayMs)));
    }
  };
}
