// The judgekit HTTP server of bench/peers, in its own process like its peer, so that its CPU
// (this process and the sandboxes it reaps) is measured apart from the benchmark's client.
// Prints `listening <base url>` once ready; closes gracefully on SIGTERM.
import { createServer } from '@judgekit/http-adapter';
import { NsjailRunner } from '@judgekit/runner-nsjail';

const concurrency = Number(process.argv[2] ?? 2);
// Production settings minus the rate limit (it would answer 429) and request logs.
const server = await createServer({
  runner: new NsjailRunner(),
  port: 0,
  host: '127.0.0.1',
  logger: false,
  rateLimit: false,
  judgeOptions: { concurrency },
});
const base = await server.listen();
process.stdout.write(`listening ${base}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
