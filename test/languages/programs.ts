/**
 * The same small tasks written in each built-in language, for the cross-runner language tests
 * and the language benchmark. Every program is tiny and named for what it does.
 */

/** The programs of one language. `null` where the language has no such thing (no compile step). */
export interface LanguagePrograms {
  /** Prints `hello, world`. */
  hello: string;
  /** Reads whitespace-separated integers from stdin, prints their sum (fast enough for megabytes). */
  sum: string;
  /** Does not compile; `compileMessage` is found in the compiler's output. */
  compileError: string | null;
  compileMessage: RegExp | null;
  /** Fails at run time; `runtimeExitCode` or `runtimeSignal` says how. */
  runtimeError: string;
  runtimeExitCode: number | null;
  runtimeSignal?: string;
  /** Never ends, burning CPU. */
  forever: string;
  /** Keeps allocating and touching memory until it is stopped. */
  hog: string;
  /** Allocates and touches about 48 MiB, then prints `ok` (must pass under a 256 MiB limit). */
  modest: string;
  /**
   * Includes a host file at compile time, where its content (a bare identifier) would appear in
   * the compiler's error message if the compiler could read it; `null` where source cannot name a file.
   */
  includeHostFile: ((path: string) => string) | null;
}

/** One program per task per language, keyed by built-in language id. */
export const programs: Record<string, LanguagePrograms> = {
  python3: {
    hello: 'print("hello, world")\n',
    sum: 'import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))\n',
    // Found by the byte-compile that runs once the interpreter has refused the source.
    compileError: 'print("sum:",\n',
    compileMessage: /SyntaxError: '\(' was never closed/,
    runtimeError: 'raise ValueError("boom")\n',
    runtimeExitCode: 1,
    forever: 'while True:\n    pass\n',
    hog: 'blocks = []\nwhile True:\n    blocks.append(bytearray(8 << 20))\n',
    modest: 'b = bytearray(48 << 20)\nfor i in range(0, len(b), 4096):\n    b[i] = 1\nprint("ok")\n',
    includeHostFile: null,
  },
  c: {
    hello: '#include <stdio.h>\nint main(void) { puts("hello, world"); return 0; }\n',
    sum: [
      '#include <stdio.h>',
      'int main(void) { long long s = 0, x; while (scanf("%lld", &x) == 1) s += x; printf("%lld\\n", s); return 0; }',
      '',
    ].join('\n'),
    compileError: 'int main(void) { return undeclared_name; }\n',
    compileMessage: /undeclared_name/,
    runtimeError: '#include <stdio.h>\nint main(void) { volatile int *p = 0; *p = 1; return 0; }\n',
    runtimeExitCode: null,
    runtimeSignal: 'SIGSEGV',
    forever: 'int main(void) { volatile unsigned long i = 0; for (;;) i++; }\n',
    hog: [
      '#include <stdlib.h>',
      '#include <string.h>',
      'int main(void) { for (;;) { char *p = malloc(8 << 20); if (!p) return 3; memset(p, 1, 8 << 20); } }',
      '',
    ].join('\n'),
    modest: [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <string.h>',
      'int main(void) { char *p = malloc(48 << 20); memset(p, 1, 48 << 20); puts(p[4096] ? "ok" : "no"); return 0; }',
      '',
    ].join('\n'),
    includeHostFile: (path) => `int main(void) {\n  return\n#include "${path}"\n  ;\n}\n`,
  },
  cpp: {
    hello: '#include <iostream>\nint main() { std::cout << "hello, world\\n"; }\n',
    sum: [
      '#include <iostream>',
      'int main() { std::ios::sync_with_stdio(false); std::cin.tie(nullptr);',
      '  long long s = 0, x; while (std::cin >> x) s += x; std::cout << s << "\\n"; }',
      '',
    ].join('\n'),
    compileError: 'int main() { return undeclared_name; }\n',
    compileMessage: /undeclared_name/,
    runtimeError: '#include <stdexcept>\nint main() { throw std::runtime_error("boom"); }\n',
    runtimeExitCode: null,
    runtimeSignal: 'SIGABRT',
    forever: 'int main() { volatile unsigned long i = 0; for (;;) i++; }\n',
    hog: [
      '#include <vector>',
      '#include <cstring>',
      'int main() { std::vector<char*> v; for (;;) { char *p = new char[8 << 20]; std::memset(p, 1, 8 << 20); v.push_back(p); } }',
      '',
    ].join('\n'),
    modest: [
      '#include <iostream>',
      '#include <vector>',
      'int main() { std::vector<char> v(48 << 20, 1); std::cout << (v[4096] ? "ok" : "no") << "\\n"; }',
      '',
    ].join('\n'),
    includeHostFile: (path) => `int main() {\n  return\n#include "${path}"\n  ;\n}\n`,
  },
  java: {
    hello: 'public class Main {\n  public static void main(String[] args) {\n    System.out.println("hello, world");\n  }\n}\n',
    sum: [
      'import java.io.*;',
      'public class Main {',
      '  public static void main(String[] args) throws IOException {',
      '    DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));',
      '    long sum = 0, x = 0; boolean neg = false, inNum = false; int c;',
      '    while ((c = in.read()) != -1) {',
      "      if (c == '-') { neg = true; } else if (c >= '0' && c <= '9') { x = x * 10 + (c - '0'); inNum = true; }",
      '      else { if (inNum) sum += neg ? -x : x; x = 0; neg = false; inNum = false; }',
      '    }',
      '    if (inNum) sum += neg ? -x : x;',
      '    System.out.println(sum);',
      '  }',
      '}',
      '',
    ].join('\n'),
    compileError: 'public class Main {\n  public static void main(String[] args) {\n    int x = undeclaredName;\n  }\n}\n',
    compileMessage: /cannot find symbol/,
    runtimeError: 'public class Main {\n  public static void main(String[] args) {\n    throw new IllegalStateException("boom");\n  }\n}\n',
    runtimeExitCode: 1,
    forever: 'public class Main {\n  public static void main(String[] args) {\n    long i = 0;\n    while (true) i++;\n  }\n}\n',
    hog: [
      'import java.util.*;',
      'public class Main {',
      '  public static void main(String[] args) {',
      '    List<long[]> blocks = new ArrayList<>();',
      '    while (true) { long[] b = new long[1 << 20]; Arrays.fill(b, 1); blocks.add(b); }',
      '  }',
      '}',
      '',
    ].join('\n'),
    modest: [
      'public class Main {',
      '  public static void main(String[] args) {',
      '    byte[] b = new byte[48 << 20];',
      '    for (int i = 0; i < b.length; i += 4096) b[i] = 1;',
      '    System.out.println(b[4096] == 1 ? "ok" : "no");',
      '  }',
      '}',
      '',
    ].join('\n'),
    includeHostFile: null,
  },
  javascript: {
    hello: 'console.log("hello, world");\n',
    sum: [
      "const data = require('fs').readFileSync(0, 'utf8');",
      'let s = 0;',
      'for (const t of data.split(/\\s+/)) if (t) s += Number(t);',
      'console.log(s);',
      '',
    ].join('\n'),
    compileError: null,
    compileMessage: null,
    runtimeError: 'throw new Error("boom");\n',
    runtimeExitCode: 1,
    forever: 'for (;;) {}\n',
    hog: 'const blocks = [];\nfor (;;) blocks.push(new Array(1 << 20).fill(1.5));\n',
    modest: 'const b = Buffer.alloc(48 << 20, 1);\nconsole.log(b[4096] === 1 ? "ok" : "no");\n',
    includeHostFile: null,
  },
  typescript: {
    hello: 'const greeting: string = "hello, world";\nconsole.log(greeting);\n',
    sum: [
      "import { readFileSync } from 'fs';",
      "const data: string = readFileSync(0, 'utf8');",
      'let s = 0;',
      'for (const t of data.split(/\\s+/)) if (t) s += Number(t);',
      'console.log(s);',
      '',
    ].join('\n'),
    // esbuild strips types: only a syntax error stops it (a type error runs, see languages.test.ts).
    compileError: 'const n: number = ;\nconsole.log(n);\n',
    compileMessage: /Unexpected ";"/,
    runtimeError: 'throw new Error("boom");\n',
    runtimeExitCode: 1,
    forever: 'for (;;) {}\n',
    hog: 'const blocks: number[][] = [];\nfor (;;) blocks.push(new Array(1 << 20).fill(1.5));\n',
    modest: 'const b = Buffer.alloc(48 << 20, 1);\nconsole.log(b[4096] === 1 ? "ok" : "no");\n',
    // The bundler resolves imports inside the sandbox only.
    includeHostFile: (path) => `import secret from "${path}";\nconsole.log(secret);\n`,
  },
  'typescript-tsc': {
    hello: 'const greeting: string = "hello, world";\nconsole.log(greeting);\n',
    sum: [
      "import { readFileSync } from 'fs';",
      "const data: string = readFileSync(0, 'utf8');",
      'let s = 0;',
      'for (const t of data.split(/\\s+/)) if (t) s += Number(t);',
      'console.log(s);',
      '',
    ].join('\n'),
    compileError: 'const n: number = "not a number";\nconsole.log(n);\n',
    compileMessage: /TS2322|not assignable to type 'number'/,
    runtimeError: 'throw new Error("boom");\n',
    runtimeExitCode: 1,
    forever: 'for (;;) {}\n',
    hog: 'const blocks: number[][] = [];\nfor (;;) blocks.push(new Array(1 << 20).fill(1.5));\n',
    modest: 'const b = Buffer.alloc(48 << 20, 1);\nconsole.log(b[4096] === 1 ? "ok" : "no");\n',
    includeHostFile: (path) => `/// <reference path="${path}" />\nconsole.log(1);\n`,
  },
  go: {
    hello: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello, world")\n}\n',
    sum: [
      'package main',
      '',
      'import (',
      '\t"bufio"',
      '\t"fmt"',
      '\t"os"',
      '\t"strconv"',
      ')',
      '',
      'func main() {',
      '\tsc := bufio.NewScanner(bufio.NewReaderSize(os.Stdin, 1<<16))',
      '\tsc.Buffer(make([]byte, 1<<16), 1<<20)',
      '\tsc.Split(bufio.ScanWords)',
      '\tvar s int64',
      '\tfor sc.Scan() {',
      '\t\tx, _ := strconv.ParseInt(sc.Text(), 10, 64)',
      '\t\ts += x',
      '\t}',
      '\tfmt.Println(s)',
      '}',
      '',
    ].join('\n'),
    compileError: 'package main\n\nfunc main() {\n\t_ = undeclaredName\n}\n',
    compileMessage: /undefined: undeclaredName/,
    runtimeError: 'package main\n\nfunc main() {\n\tpanic("boom")\n}\n',
    runtimeExitCode: 2,
    forever: 'package main\n\nfunc main() {\n\ti := 0\n\tfor {\n\t\ti++\n\t}\n}\n',
    hog: [
      'package main',
      '',
      'func main() {',
      '\tvar blocks [][]byte',
      '\tfor {',
      '\t\tb := make([]byte, 8<<20)',
      '\t\tfor i := range b {',
      '\t\t\tb[i] = 1',
      '\t\t}',
      '\t\tblocks = append(blocks, b)',
      '\t}',
      '}',
      '',
    ].join('\n'),
    modest: [
      'package main',
      '',
      'import "fmt"',
      '',
      'func main() {',
      '\tb := make([]byte, 48<<20)',
      '\tfor i := 0; i < len(b); i += 4096 {',
      '\t\tb[i] = 1',
      '\t}',
      '\tif b[4096] == 1 {',
      '\t\tfmt.Println("ok")',
      '\t}',
      '}',
      '',
    ].join('\n'),
    includeHostFile: null,
  },
  rust: {
    hello: 'fn main() {\n    println!("hello, world");\n}\n',
    sum: [
      'use std::io::Read;',
      'fn main() {',
      '    let mut s = String::new();',
      '    std::io::stdin().read_to_string(&mut s).unwrap();',
      '    let total: i64 = s.split_ascii_whitespace().map(|t| t.parse::<i64>().unwrap()).sum();',
      '    println!("{}", total);',
      '}',
      '',
    ].join('\n'),
    compileError: 'fn main() {\n    let _x = undeclared_name;\n}\n',
    compileMessage: /cannot find value `undeclared_name`/,
    runtimeError: 'fn main() {\n    panic!("boom");\n}\n',
    runtimeExitCode: 101,
    forever: 'fn main() {\n    let mut i: u64 = 0;\n    loop {\n        i = std::hint::black_box(i + 1);\n    }\n}\n',
    hog: [
      'fn main() {',
      '    let mut blocks: Vec<Vec<u8>> = Vec::new();',
      '    loop {',
      '        blocks.push(vec![1u8; 8 << 20]);',
      '    }',
      '}',
      '',
    ].join('\n'),
    modest: [
      'fn main() {',
      '    let b = vec![1u8; 48 << 20];',
      '    println!("{}", if std::hint::black_box(&b)[4096] == 1 { "ok" } else { "no" });',
      '}',
      '',
    ].join('\n'),
    includeHostFile: (path) => `fn main() {\n    let _x: u32 = include!("${path}");\n}\n`,
  },
  bash: {
    hello: 'echo "hello, world"\n',
    // One arithmetic expansion over the joined input: bash's own `read` and `mapfile` take stdin a
    // byte at a time from a pipe, which needs seconds for megabytes.
    sum: 'data=$(tr -s "[:space:]" "+"; echo 0)\necho $(( $data ))\n',
    compileError: null,
    compileMessage: null,
    runtimeError: 'echo "about to fail" >&2\nexit 3\n',
    runtimeExitCode: 3,
    forever: 'while :; do :; done\n',
    hog: 's=xxxxxxxxxxxxxxxx\nwhile :; do s="$s$s"; done\n',
    modest: 's=$(head -c 1048576 /dev/zero | tr "\\0" x)\necho ok\n',
    includeHostFile: null,
  },
};
