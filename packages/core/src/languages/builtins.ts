import type { Limits } from '../runner/limits.js';
import type { LanguageDefinition } from './definition.js';

const MiB = 1024 * 1024;

/**
 * Memory kept outside a managed runtime's heap, in bytes: its code, JIT output, thread stacks,
 * class metadata and the garbage collector's own tables. A heap of `limit - reserve` fits under
 * the sandbox's limit, so running out of heap is the runtime's clean out-of-memory error, which
 * is reported as `memory_limit_exceeded` (and the sandbox's own memory kill catches the rest).
 */
export const runtimeReserveBytes: number = 64 * MiB;

/**
 * @internal The heap, in MiB, for a managed runtime under a memory limit: the limit less
 * {@link runtimeReserveBytes}, but at least half the limit and at least 16 MiB, so small limits
 * still start the runtime (and fail as a memory verdict, not as a start-up crash).
 */
export function heapMiB(limits: Pick<Limits, 'memoryBytes'>): number {
  const limit = limits.memoryBytes;
  return Math.max(16, Math.floor(Math.max(limit - runtimeReserveBytes, limit / 2) / MiB));
}

/** Node's options for both JavaScript and TypeScript: a V8 heap derived from the memory limit. */
const nodeRun = ({ limits, args }: { limits: Limits; args: string[] }): string[] => [
  'node',
  `--max-old-space-size=${heapMiB(limits)}`,
  // Young generation kept small so old space + young space + Node itself fit under the limit.
  '--max-semi-space-size=8',
  // One GC thread: CPU time is the program's work, not helper threads spinning (up to 2x CPU on gVisor).
  '--single-threaded-gc',
  'main.js',
  ...args,
];

/** V8's own out-of-memory report (old space or a failed large allocation). */
const v8OutOfMemory = /JavaScript heap out of memory|Fatal JavaScript invalid size error|Allocation failed - process out of memory/;

/**
 * Python's byte-compile of the main file, without running it: `compile()` of its bytes (so a
 * PEP 263 coding line counts), with `-I -S` so no site packages or environment variables load
 * (about 12 ms against 17 ms for a plain start, and 33 ms for `-m py_compile`, which also writes
 * a `.pyc`). A failure prints the interpreter's own report (file, line, caret, error) and exits 1.
 */
const pythonByteCompile = ({ sourceFile }: { sourceFile: string }): string[] => [
  'python3',
  '-I',
  '-S',
  '-c',
  [
    'import sys',
    'try: compile(open(sys.argv[1], "rb").read(), sys.argv[1], "exec")',
    'except (SyntaxError, ValueError) as e:',
    ' import traceback; traceback.print_exception(type(e), e, None); sys.exit(1)',
  ].join('\n'),
  sourceFile,
];

/**
 * Python 3 (CPython from the host's `/usr/bin` or the image). `-B` writes no bytecode files into
 * the work directory. A syntax error is a `compile_error`: when the first test fails as the
 * interpreter does on a malformed source, the main file is byte-compiled in the sandbox and a
 * failure there counts as the compile ({@link LanguageDefinition.syntaxCheck}); a program that
 * runs pays nothing for it.
 */
export const python3: LanguageDefinition = {
  id: 'python3',
  name: 'Python 3',
  aliases: ['python', 'py', 'py3'],
  extensions: ['.py'],
  sourceFile: 'main.py',
  syntaxCheck: { command: pythonByteCompile, pattern: /^(?:SyntaxError|IndentationError|TabError)\b/m },
  run: ['python3', '-B', 'main.py'],
  env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
  // A failed allocation under an address-space limit raises MemoryError instead of a memory kill.
  outOfMemoryPattern: /^MemoryError\b/m,
  version: { argv: ['python3', '--version'], pattern: /Python (\d+\.\d+\.\d+)/ },
  toolchain: { host: ['python3'], image: { name: 'python3', packages: ['python3'] } },
};

/** C (GCC, GNU C17, `-O2`, linked with libm). */
export const c: LanguageDefinition = {
  id: 'c',
  name: 'C (GCC)',
  aliases: ['gcc'],
  extensions: ['.c'],
  sourceFile: 'main.c',
  compile: ['gcc', '-O2', '-std=gnu17', '-pipe', '-o', 'main', 'main.c', '-lm'],
  run: ['./main'],
  version: { argv: ['gcc', '-dumpfullversion'], pattern: /(\d+\.\d+(?:\.\d+)?)/ },
  toolchain: { host: ['gcc', 'libc6-dev'], image: { name: 'gcc', packages: ['gcc', 'g++', 'libc6-dev'] } },
};

/** C++ (G++, GNU C++17, `-O2`). */
export const cpp: LanguageDefinition = {
  id: 'cpp',
  name: 'C++ (G++)',
  aliases: ['c++', 'g++'],
  extensions: ['.cpp', '.cc', '.cxx'],
  sourceFile: 'main.cpp',
  compile: ['g++', '-O2', '-std=gnu++17', '-pipe', '-o', 'main', 'main.cpp'],
  run: ['./main'],
  // `new` failing under an address-space limit throws std::bad_alloc instead of a memory kill.
  outOfMemoryPattern: /std::bad_alloc/,
  version: { argv: ['g++', '-dumpfullversion'], pattern: /(\d+\.\d+(?:\.\d+)?)/ },
  toolchain: { host: ['g++'], image: { name: 'gcc', packages: ['gcc', 'g++', 'libc6-dev'] } },
};

/** The class a Java source file holds, by its name (`Solution.java` holds `Solution`). */
const javaClass = (sourceFile: string) => sourceFile.replace(/\.java$/, '');

/**
 * Java (OpenJDK). The source file is named after its public top-level class (`public class
 * Solution` compiles as `Solution.java` and runs as `java Solution`); without one, the class must
 * be `Main`, in `Main.java`. The heap (`-Xmx`) is the memory limit less {@link runtimeReserveBytes},
 * so a program that needs more ends with the JVM's `OutOfMemoryError`, reported as
 * `memory_limit_exceeded`; the serial collector keeps the JVM's thread count small and
 * independent of the host's CPU count.
 */
export const java: LanguageDefinition = {
  id: 'java',
  name: 'Java (OpenJDK)',
  extensions: ['.java'],
  sourceFile: 'Main.java',
  // A public class at the start of a line (so not in a `//` comment or a Javadoc line); javac
  // requires it to be in a file of its name.
  sourceFileFrom: {
    pattern: /^[ \t]*public\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\s+)*(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)/m,
    file: '$1.java',
  },
  compile: ({ limits, sourceFile }) => [
    'javac',
    `-J-Xmx${heapMiB(limits)}m`,
    '-J-XX:+UseSerialGC',
    // javac is short-lived: the fast JIT tier alone starts it about twice as fast.
    '-J-XX:TieredStopAtLevel=1',
    '-J-Xshare:auto',
    '-encoding',
    'UTF-8',
    sourceFile,
  ],
  run: ({ limits, args, sourceFile }) => [
    'java',
    `-Xmx${heapMiB(limits)}m`,
    // Deep recursion is common in contest code; the stack is reserved, not used, until needed.
    '-Xss64m',
    '-XX:+UseSerialGC',
    '-Xshare:auto',
    '-XX:-UsePerfData',
    javaClass(sourceFile),
    ...args,
  ],
  compileLimits: { processes: 128 },
  runLimits: { processes: 128 },
  outOfMemoryPattern: /java\.lang\.OutOfMemoryError/,
  version: { argv: ['javac', '-version'], pattern: /javac (\S+)/ },
  toolchain: { host: ['default-jdk-headless'], image: { name: 'java', packages: ['openjdk-17-jdk-headless'] } },
};

/**
 * JavaScript on Node.js (the host's Node on the nsjail runner, the image's on Docker). The V8 old
 * space is the memory limit less {@link runtimeReserveBytes}, so running out of heap is V8's
 * out-of-memory error, reported as `memory_limit_exceeded`.
 */
export const javascript: LanguageDefinition = {
  id: 'javascript',
  name: 'JavaScript (Node.js)',
  aliases: ['js', 'node', 'nodejs'],
  extensions: ['.js', '.mjs', '.cjs'],
  sourceFile: 'main.js',
  run: nodeRun,
  runLimits: { processes: 32 },
  outOfMemoryPattern: v8OutOfMemory,
  version: { argv: ['node', '--version'], pattern: /v(\d+\.\d+\.\d+)/ },
  toolchain: { host: ['nodejs'], image: { name: 'javascript', packages: ['nodejs'] } },
};

/** Where `scripts/setup/toolchains.sh` installs TypeScript's pinned npm toolchains (and the image copies them). */
const tsPrefix = '/usr/local/lib/judgekit/typescript';
const esbuild = '/usr/local/lib/judgekit/esbuild/bin/esbuild';
const tsToolchain: LanguageDefinition['toolchain'] = {
  // Pinned npm packages (esbuild; typescript, @types/node) that scripts/setup/toolchains.sh installs: no apt package does.
  host: [],
  image: { name: 'typescript', packages: ['nodejs'], copy: [tsPrefix, '/usr/local/bin/tsc', '/usr/local/lib/judgekit/esbuild'] },
};

/**
 * TypeScript, with its types stripped by esbuild (a static binary, about 10 ms for a hello
 * world), then run on Node.js. Types are not checked: a type error still runs, as with `node
 * --experimental-strip-types`, `tsx`, Deno and Bun; a syntax error is a compile error. Local
 * imports (`./util.ts` among the submission's files) are bundled into `main.js`, Node's own
 * modules stay `require`s. For type errors as `compile_error`, use `typescript-tsc`.
 */
export const typescript: LanguageDefinition = {
  id: 'typescript',
  name: 'TypeScript (esbuild, types not checked)',
  aliases: ['ts'],
  extensions: ['.ts'],
  sourceFile: 'main.ts',
  compile: ({ sourceFile }) => [
    esbuild,
    sourceFile,
    '--bundle',
    '--platform=node',
    '--format=cjs',
    '--packages=external',
    '--outfile=main.js',
    '--log-level=warning',
    '--color=false',
  ],
  run: nodeRun,
  compileLimits: { processes: 32 },
  runLimits: { processes: 32 },
  outOfMemoryPattern: v8OutOfMemory,
  version: { argv: [esbuild, '--version'], pattern: /(\d+\.\d+\.\d+)/ },
  toolchain: tsToolchain,
};

/**
 * TypeScript compiled to CommonJS with `tsc` (with Node's type declarations), run on Node.js: a
 * type error is a compile error, at the price of tsc's start (about 2 to 4 s for a hello world,
 * against 10 ms for `typescript`).
 */
export const typescriptTsc: LanguageDefinition = {
  id: 'typescript-tsc',
  name: 'TypeScript (tsc, type-checked)',
  aliases: ['tsc'],
  sourceFile: 'main.ts',
  compile: ({ limits, sourceFile }) => [
    'node',
    `--max-old-space-size=${heapMiB(limits)}`,
    `${tsPrefix}/node_modules/typescript/bin/tsc`,
    '--target',
    'es2022',
    '--module',
    'commonjs',
    '--types',
    'node',
    '--typeRoots',
    `${tsPrefix}/node_modules/@types`,
    '--skipLibCheck',
    '--pretty',
    'false',
    '--noEmitOnError',
    '--outDir',
    '.',
    sourceFile,
  ],
  run: nodeRun,
  compileLimits: { processes: 32 },
  runLimits: { processes: 32 },
  outOfMemoryPattern: v8OutOfMemory,
  version: { argv: ['node', `${tsPrefix}/node_modules/typescript/bin/tsc`, '--version'], pattern: /Version (\S+)/ },
  toolchain: tsToolchain,
};

/**
 * Go, built without cgo. The standard library is precompiled into GOROOT at setup time and used
 * through `GODEBUG=installgoroot=all`, so a build in a fresh sandbox compiles only `main.go`
 * (about 0.2 s instead of about 10 s); the build cache is a per-sandbox folder in `/tmp`.
 * The Go runtime's threads need room in the process limit.
 */
export const go: LanguageDefinition = {
  id: 'go',
  name: 'Go',
  aliases: ['golang'],
  extensions: ['.go'],
  sourceFile: 'main.go',
  // Flags must come before the file: extra compiler arguments go there.
  compile: ({ args }) => ['go', 'build', ...args, '-o', 'main', 'main.go'],
  run: ['./main'],
  env: {
    GOCACHE: '/tmp/go-cache',
    GOPATH: '/tmp/go',
    GOENV: 'off',
    GOTOOLCHAIN: 'local',
    GO111MODULE: 'off',
    CGO_ENABLED: '0',
    GODEBUG: 'installgoroot=all',
  },
  compileLimits: { processes: 128 },
  runLimits: { processes: 64 },
  // Under an address-space limit the Go runtime stops with this line instead of a memory kill.
  outOfMemoryPattern: /^fatal error: runtime: out of memory/m,
  version: { argv: ['go', 'env', 'GOVERSION'], pattern: /go(\d+\.\d+(?:\.\d+)?)/ },
  toolchain: {
    // golang-go from <codename>-backports (1.23, not 1.19) with its standard library precompiled:
    // scripts/setup/toolchains.sh does both, a plain apt-get does neither.
    host: [],
    image: { name: 'go', packages: ['golang-go'] },
  },
};

/** Rust (rustc, `-O`, edition 2021, no Cargo and no crates). */
export const rust: LanguageDefinition = {
  id: 'rust',
  name: 'Rust',
  aliases: ['rs'],
  extensions: ['.rs'],
  sourceFile: 'main.rs',
  compile: ['rustc', '-O', '--edition', '2021', '-o', 'main', 'main.rs'],
  run: ['./main'],
  env: { TMPDIR: '/tmp' },
  compileLimits: { processes: 128 },
  // The standard allocator's report when an allocation fails (then it aborts).
  outOfMemoryPattern: /memory allocation of \d+ bytes failed/,
  version: { argv: ['rustc', '--version'], pattern: /rustc (\d+\.\d+\.\d+)/ },
  toolchain: { host: ['rustc-web'], image: { name: 'rust', packages: ['rustc-web', 'libc6-dev', 'gcc'] } },
};

/** Bash. */
export const bash: LanguageDefinition = {
  id: 'bash',
  name: 'Bash',
  aliases: ['sh'],
  extensions: ['.sh', '.bash'],
  sourceFile: 'main.sh',
  run: ['bash', 'main.sh'],
  version: { argv: ['bash', '--version'], pattern: /version (\d+\.\d+\.\d+)/ },
  toolchain: { host: ['bash'], image: { name: 'bash', packages: ['bash'] } },
};

/** Every built-in language, in display order. */
export const builtinLanguages: readonly LanguageDefinition[] = [
  python3,
  c,
  cpp,
  java,
  javascript,
  typescript,
  typescriptTsc,
  go,
  rust,
  bash,
];
