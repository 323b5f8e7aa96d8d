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
 * Python 3 (CPython from the host's `/usr/bin` or the image). No compile step; `-B` writes no
 * bytecode files into the work directory.
 */
export const python3: LanguageDefinition = {
  id: 'python3',
  name: 'Python 3',
  aliases: ['python', 'py', 'py3'],
  extensions: ['.py'],
  sourceFile: 'main.py',
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

/**
 * Java (OpenJDK). The class must be `Main` in `Main.java`. The heap (`-Xmx`) is the memory limit
 * less {@link runtimeReserveBytes}, so a program that needs more ends with the JVM's
 * `OutOfMemoryError`, reported as `memory_limit_exceeded`; the serial collector keeps the JVM's
 * thread count small and independent of the host's CPU count.
 */
export const java: LanguageDefinition = {
  id: 'java',
  name: 'Java (OpenJDK)',
  extensions: ['.java'],
  sourceFile: 'Main.java',
  compile: ({ limits }) => [
    'javac',
    `-J-Xmx${heapMiB(limits)}m`,
    '-J-XX:+UseSerialGC',
    // javac is short-lived: the fast JIT tier alone starts it about twice as fast.
    '-J-XX:TieredStopAtLevel=1',
    '-J-Xshare:auto',
    '-encoding',
    'UTF-8',
    'Main.java',
  ],
  run: ({ limits, args }) => [
    'java',
    `-Xmx${heapMiB(limits)}m`,
    // Deep recursion is common in contest code; the stack is reserved, not used, until needed.
    '-Xss64m',
    '-XX:+UseSerialGC',
    '-Xshare:auto',
    '-XX:-UsePerfData',
    'Main',
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

/**
 * TypeScript, compiled to CommonJS with `tsc` (with Node's type declarations), run on Node.js.
 * A type error is a compile error. `tsc` and the declarations live in
 * `/usr/local/lib/judgekit/typescript` (installed by `scripts/setup/toolchains.sh`, and in the image).
 */
export const typescript: LanguageDefinition = {
  id: 'typescript',
  name: 'TypeScript',
  aliases: ['ts'],
  extensions: ['.ts'],
  sourceFile: 'main.ts',
  compile: ({ limits }) => [
    'node',
    `--max-old-space-size=${heapMiB(limits)}`,
    '/usr/local/lib/judgekit/typescript/node_modules/typescript/bin/tsc',
    '--target',
    'es2022',
    '--module',
    'commonjs',
    '--types',
    'node',
    '--typeRoots',
    '/usr/local/lib/judgekit/typescript/node_modules/@types',
    '--skipLibCheck',
    '--pretty',
    'false',
    '--noEmitOnError',
    '--outDir',
    '.',
    'main.ts',
  ],
  run: nodeRun,
  compileLimits: { processes: 32 },
  runLimits: { processes: 32 },
  outOfMemoryPattern: v8OutOfMemory,
  version: {
    argv: ['node', '/usr/local/lib/judgekit/typescript/node_modules/typescript/bin/tsc', '--version'],
    pattern: /Version (\S+)/,
  },
  toolchain: {
    // Pinned npm packages (typescript, @types/node) that scripts/setup/toolchains.sh installs: no apt package does.
    host: [],
    image: { name: 'typescript', packages: ['nodejs'], copy: ['/usr/local/lib/judgekit/typescript', '/usr/local/bin/tsc'] },
  },
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
export const builtinLanguages: readonly LanguageDefinition[] = [python3, c, cpp, java, javascript, typescript, go, rust, bash];
