// Batch grading for a course: several students' solutions to one exercise, judged concurrently,
// with a table of verdicts. Run: node --import tsx examples/batch-grading.ts
import { Judge, type SubmissionResult } from '@judgekit/core';
import { NsjailRunner } from '@judgekit/runner-nsjail';

const tests = [
  { name: 'one', input: '1\n', expectedOutput: '1\n' },
  { name: 'ten', input: '10\n', expectedOutput: '55\n' },
  { name: 'big', input: '90\n', expectedOutput: '2880067194370816120\n' },
];

// Fibonacci numbers: one right, one slow, one wrong, one that does not compile.
const solutions: Record<string, { language: string; source: string }> = {
  ada: { language: 'python3', source: 'n = int(input())\na, b = 0, 1\nfor _ in range(n):\n    a, b = b, a + b\nprint(a)' },
  brook: { language: 'python3', source: 'f = lambda n: n if n < 2 else f(n - 1) + f(n - 2)\nprint(f(int(input())))' },
  cass: {
    language: 'c',
    source:
      '#include <stdio.h>\nint main(void) { int n; scanf("%d", &n); int a = 0, b = 1; while (n--) { int t = a + b; a = b; b = t; } printf("%d\\n", a); }',
  },
  dev: { language: 'c', source: 'int main(void) { return fib(3) }' },
};

await using judge = new Judge({ runner: new NsjailRunner() });
const graded: [string, SubmissionResult][] = await Promise.all(
  Object.entries(solutions).map(async ([student, solution]) => {
    const result = await judge.run({ ...solution, tests, limits: { cpuTimeMs: 1000, wallTimeMs: 3000 }, stopOnFirstFailure: true });
    return [student, result] as [string, SubmissionResult];
  }),
);

console.log('student  verdict                passed');
for (const [student, result] of graded) {
  console.log(`${student.padEnd(8)} ${String(result.verdict).padEnd(22)} ${result.summary.passed}/${result.summary.total}`);
}
