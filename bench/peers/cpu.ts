// CPU accounting shared by bench/peers and bench/nsjail.
import { readdirSync, readFileSync } from 'node:fs';

const clockTicks = 100;

/** utime, stime, cutime, cstime of a process, in clock ticks; null once it is gone. */
function times(pid: number | 'self'): [number, number, number, number] | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After the command name: state is field 3, so utime..cstime (fields 14–17) are at 11..14.
    return [11, 12, 13, 14].map((i) => Number(fields[i])) as [number, number, number, number];
  } catch {
    return null;
  }
}

function liveChildren(pid: number | 'self'): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
      for (const child of text.split(' ')) if (child.trim()) out.push(Number(child));
    }
  } catch {
    // gone meanwhile
  }
  return out;
}

/**
 * CPU of a process and of every process below it, in ns: its own time and that of its reaped
 * children, plus the same for each child still alive, recursively. A helper process that starts
 * and reaps the judge's sandboxes (the nsjail runner's forker) lives as long as the judge, so
 * its children's time would otherwise reach the judge's counters only when it exits.
 */
export function treeCpuNs(pid: number | 'self' = 'self', childrenOnly = false): number {
  const t = times(pid);
  if (!t) return 0;
  const [utime, stime, cutime, cstime] = t;
  const ticks = childrenOnly ? cutime + cstime : utime + stime + cutime + cstime;
  let ns = (ticks / clockTicks) * 1e9;
  for (const child of liveChildren(pid)) ns += treeCpuNs(child);
  return ns;
}
