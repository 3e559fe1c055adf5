// A webhook receiver for benchmarks: answers 204 to every request on
// 127.0.0.1:PORT, prints how many it got on SIGTERM.
//   node bench/webhooks/fast_receiver.mjs 18992 &
import http from 'node:http';

let received = 0;
http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(204).end();
    });
  })
  .listen(Number(process.argv[2] ?? 18992), '127.0.0.1');
process.on('SIGTERM', () => {
  console.log(`received ${received}`);
  process.exit(0);
});
