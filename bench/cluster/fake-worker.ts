// A worker process of bench/cluster: judges from the queue of REDIS_URL (prefix PREFIX) with an
// instant FakeRunner, CONCURRENCY at once. Prints "ready" once it consumes; SIGTERM stops it.
import { FakeRunner, Judge } from '@judgekit/core';
import { openRedisBackend } from '@judgekit/redis';

const concurrency = Number(process.env.CONCURRENCY ?? 32);
const backend = await openRedisBackend({ url: process.env.REDIS_URL!, prefix: process.env.PREFIX!, role: 'worker', concurrency });
const judge = new Judge({
  runner: new FakeRunner({ program: () => ({ stdout: '1\n' }) }),
  concurrency,
  queue: backend.queue,
  store: backend.store,
  bus: backend.bus,
  maxQueued: 1_000_000,
});
process.on('SIGTERM', () => {
  void judge
    .close()
    .then(() => backend.close())
    .then(() => process.exit(0));
});
process.stdout.write('ready\n');
