// bench/core/spawn-cost.mjs: judge CPU and wall per child process, node:child_process.spawn against execa,
// measured in the same run (the hot-path decision of issue 11 item 8).  node bench/core/spawn-cost.mjs
import { spawn } from 'node:child_process';
import { execa } from 'execa';

const n = 300;
const viaSpawn = () =>
  new Promise((res, rej) => {
    const c = spawn('/bin/true', [], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    c.stdin.end();
    c.on('error', rej);
    c.on('close', res);
  });
const viaExeca = () => execa('/bin/true', [], { extendEnv: false, env: {}, stdin: 'pipe', reject: false, input: '' });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let round = 0; round < 3; round++) {
  for (const [name, fn] of [
    ['spawn', viaSpawn],
    ['execa', viaExeca],
  ]) {
    for (let i = 0; i < 20; i++) await fn();
    const c0 = cpu();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    const t = (performance.now() - t0) / n,
      c = (cpu() - c0) / n;
    console.log(`${name}: wall ${t.toFixed(3)} ms/spawn, judge cpu ${c.toFixed(3)} ms/spawn`);
  }
}
