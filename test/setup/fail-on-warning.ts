// A process warning (a leaked listener, a deprecated call) fails the test run: vitest reports an
// error thrown from the listener as an unhandled error, and unhandled errors fail the run.
const seen = new WeakSet<Error>();
process.on('warning', (warning) => {
  if (seen.has(warning)) return;
  seen.add(warning);
  // ExperimentalWarning comes from Node's own flags (e.g. a loader), not from our code.
  if (warning.name === 'ExperimentalWarning') return;
  throw new Error(`process warning: ${warning.name}: ${warning.message}`);
});
