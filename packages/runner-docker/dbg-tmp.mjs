import { readFileSync } from 'node:fs';
import { builtinLanguages, defaultLimits } from '@judgekit/core';
import { DockerRunner } from '@judgekit/runner-docker';

const runner = new DockerRunner({ pool: { size: 0 } });
const py = builtinLanguages.find((l) => l.id === 'python3');
const a = await runner.open({ language: py });
const b = await runner.open({ language: py });
await a.write([
  { path: 'i.py', content: readFileSync('examples/interactive/interactor.py', 'utf8') },
  { path: 'input.txt', content: '1000000 37\n' },
]);
await b.write([{ path: 's.py', content: readFileSync('examples/interactive/binary-search.py', 'utf8') }]);
const ia = await a.spawn({ argv: ['python3', 'i.py', 'input.txt'], limits: { ...defaultLimits, wallTimeMs: 5000 } });
ia.onOutput = (s, d) => {
  console.log('I>', s, JSON.stringify(Buffer.from(d).toString()));
  if (s === 'stdout') console.log('write to sol', sb?.write(d));
};
let sb;
sb = await b.spawn({ argv: ['python3', 's.py'], limits: { ...defaultLimits, wallTimeMs: 5000 } });
sb.onOutput = (s, d) => {
  console.log('S>', s, JSON.stringify(Buffer.from(d).toString()));
  if (s === 'stdout') console.log('write to int', ia.write(d));
};
console.log(await ia.exit, await sb.exit);
await a.dispose();
await b.dispose();
await runner.close();
