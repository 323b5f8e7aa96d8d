// bench/core/overhead.ts: what one trivial submission costs the judge outside the sandbox, with an
// instant runner (FakeRunner): judge CPU per Judge.run in process, and the HTTP server's CPU per
// GET /healthz (the floor of a request) and per POST /v1/submissions?wait=true, the client in a
// child process so only the server is counted. For profiling: add --cpu-prof to node.
//   N=3000 node --import tsx bench/core/overhead.ts
import { execFile } from 'node:child_process';
import { FakeRunner, Judge } from '@judgekit/core';
import { createServer } from '@judgekit/http-adapter';

const program = () => ({ stdout: '1\n' });
const input = { language: 'python3', source: 'print(1)' };
const n = Number(process.env.N ?? 3000);
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
// In process: Judge.run with an instant runner.
const judge = new Judge({ runner: new FakeRunner({ program }), concurrency: 1, maxQueued: 1e6 });
for (let i = 0; i < 500; i++) await judge.run(input);
const c0 = process.cpuUsage();
for (let i = 0; i < n; i++) await judge.run(input);
const inproc = cpuMs(process.cpuUsage(c0)) / n;
await judge.close();
const server = await createServer({
  runner: new FakeRunner({ program }),
  port: 0,
  host: '127.0.0.1',
  logger: false,
  rateLimit: false,
  judgeOptions: { concurrency: 1, maxQueued: 1e6 },
});
const base = await server.listen();
const client = (path: string, method: string, count: number) =>
  new Promise<void>((resolve, reject) => {
    const script = `const body=${JSON.stringify(JSON.stringify(input))};(async()=>{for(let i=0;i<${count};i++){const r=await fetch(${JSON.stringify(base + path)},{method:'${method}',headers:{'content-type':'application/json'},body:'${method}'==='POST'?body:undefined});await r.arrayBuffer();}})()`;
    execFile(process.execPath, ['-e', script], (e) => (e ? reject(e) : resolve()));
  });
const measure = async (path: string, method: string) => {
  await client(path, method, 300);
  const c = process.cpuUsage();
  const t = performance.now();
  await client(path, method, n);
  return { cpu: cpuMs(process.cpuUsage(c)) / n, wall: (performance.now() - t) / n };
};
const health = await measure('/healthz', 'GET');
const post = await measure('/v1/submissions?wait=true', 'POST');
console.log(`judge.run in process: cpu ${inproc.toFixed(3)} ms`);
console.log(`GET /healthz server cpu ${health.cpu.toFixed(3)} ms (wall ${health.wall.toFixed(2)})`);
console.log(`POST /v1/submissions?wait=true server cpu ${post.cpu.toFixed(3)} ms (wall ${post.wall.toFixed(2)})`);
await server.close();
