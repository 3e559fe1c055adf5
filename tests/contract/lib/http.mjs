// A bare HTTP/1.1 client over node:http: one connection per request, no
// retries, no header checks of its own, so the contract test sees exactly
// what the server answered (including to requests a careful client would
// never send: huge headers, long targets, unknown methods).
import http from 'node:http';

// { status, headers (lower-case names), body (string) }
export function send({ port, method, target, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path: target, headers, agent: false },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
    request.on('error', reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}

// Opens a response that does not end by itself (text/event-stream) and
// resolves once `until(textSoFar)` holds (or, for a refusal, once the
// answer ends), with what was read; the
// connection stays open until close() is called.
export function openStream({ port, target, headers = {}, until = () => true }) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'GET', path: target, headers, agent: false },
      (response) => {
        let text = '';
        let settled = false;
        const close = () => request.destroy();
        const finish = () => {
          if (settled) return;
          settled = true;
          resolve({ status: response.statusCode, headers: response.headers, body: text, close });
        };
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
          // A refusal is read whole; only an open stream stops early.
          if (response.statusCode === 200 && until(text)) finish();
        });
        response.on('end', finish); // a refusal: the whole answer was read
        response.on('error', (error) => (settled ? undefined : reject(error)));
      });
    request.on('error', reject);
    request.end();
  });
}
