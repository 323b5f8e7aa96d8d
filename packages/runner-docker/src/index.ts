// The public surface of @judgekit/runner-docker: every export is listed by name.

export { formatHealth } from './health.js';
export { DockerRunner, type DockerRunnerOptions } from './runner.js';
