/**
 * Test helpers of @judgekit/postgres: a throw-away PostgreSQL cluster on its own port and data
 * directory, for tests that need a real database.
 *
 * @packageDocumentation
 * @module @judgekit/postgres/testing
 */
export { postgresBinDir, startTestCluster, type TestCluster, type TestClusterOptions } from './cluster.js';
