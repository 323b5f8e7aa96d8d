import { LruResultStore } from '../store/lru-store.js';
import { queueStoreContractSuite } from '../testing/backends.js';
import { FastqJobQueue } from './fastq-queue.js';

// The in-process default against the same contract as the Redis backend (packages/redis).
queueStoreContractSuite({
  name: 'fastq/LRU',
  createQueue: ({ concurrency }) => new FastqJobQueue({ concurrency }),
  createStore: ({ ttlMs }) => new LruResultStore({ ttlMs }),
});
