/**
 * A judgekit runner on the Docker Engine API, with gVisor (`runsc`) by default and a warm pool.
 *
 * @packageDocumentation
 * @module @judgekit/runner-docker
 */
// The public surface of @judgekit/runner-docker: every export is listed by name.

export { formatHealth } from './health.js';
export { DockerRunner, type DockerRunnerOptions } from './runner.js';
