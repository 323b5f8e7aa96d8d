import type { LanguageDefinition } from './definition.js';

const mib = (bytes: number): number => Math.max(16, Math.floor(bytes / (1024 * 1024)));

/** Python 3 (CPython from the host or image). */
export const python3: LanguageDefinition = {
  id: 'python3',
  name: 'Python 3',
  aliases: ['python', 'py', 'py3'],
  extensions: ['.py'],
  sourceFile: 'main.py',
  run: ['python3', '-B', 'main.py'],
  env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '0' },
  version: { argv: ['python3', '--version'], pattern: /Python (\S+)/ },
};

/** C (GCC, GNU C17, -O2). */
export const c: LanguageDefinition = {
  id: 'c',
  name: 'C (GCC)',
  aliases: ['gcc'],
  extensions: ['.c'],
  sourceFile: 'main.c',
  compile: ['gcc', '-O2', '-std=gnu17', '-pipe', '-o', 'main', 'main.c', '-lm'],
  run: ['./main'],
  version: { argv: ['gcc', '--version'], pattern: /gcc.* (\d+\.\d+\.\d+)/ },
};

/** C++ (G++, GNU C++17, -O2). */
export const cpp: LanguageDefinition = {
  id: 'cpp',
  name: 'C++ (G++)',
  aliases: ['c++', 'g++'],
  extensions: ['.cpp', '.cc', '.cxx'],
  sourceFile: 'main.cpp',
  compile: ['g++', '-O2', '-std=gnu++17', '-pipe', '-o', 'main', 'main.cpp'],
  run: ['./main'],
  version: { argv: ['g++', '--version'], pattern: /g\+\+.* (\d+\.\d+\.\d+)/ },
};

/**
 * Java (OpenJDK). The heap is derived from the memory limit so that exceeding it reports
 * `memory_limit_exceeded` (the JVM's `OutOfMemoryError` is recognised).
 */
export const java: LanguageDefinition = {
  id: 'java',
  name: 'Java (OpenJDK)',
  extensions: ['.java'],
  sourceFile: 'Main.java',
  compile: ({ limits }) => [
    'javac',
    `-J-Xmx${Math.min(mib(limits.memoryBytes) - 64, 768)}m`,
    '-J-XX:+UseSerialGC',
    '-encoding',
    'UTF-8',
    'Main.java',
  ],
  run: ({ limits, args }) => [
    'java',
    `-Xmx${Math.max(16, Math.floor(mib(limits.memoryBytes) * 0.75))}m`,
    '-Xss64m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Xshare:auto',
    'Main',
    ...args,
  ],
  compileLimits: { processes: 128 },
  runLimits: { processes: 128 },
  outOfMemoryPattern: /java\.lang\.OutOfMemoryError/,
  version: { argv: ['javac', '-version'], pattern: /javac (\S+)/ },
};

/** JavaScript (Node.js). The V8 heap is derived from the memory limit. */
export const javascript: LanguageDefinition = {
  id: 'javascript',
  name: 'JavaScript (Node.js)',
  aliases: ['js', 'node', 'nodejs'],
  extensions: ['.js', '.mjs', '.cjs'],
  sourceFile: 'main.js',
  run: ({ limits, args }) => [
    'node',
    `--max-old-space-size=${Math.max(16, Math.floor(mib(limits.memoryBytes) * 0.75))}`,
    'main.js',
    ...args,
  ],
  runLimits: { processes: 32 },
  outOfMemoryPattern: /heap out of memory|Allocation failed/,
  version: { argv: ['node', '--version'], pattern: /v(\S+)/ },
};

/** TypeScript, compiled to JavaScript with `tsc`, run with Node.js. */
export const typescript: LanguageDefinition = {
  id: 'typescript',
  name: 'TypeScript',
  aliases: ['ts'],
  extensions: ['.ts'],
  sourceFile: 'main.ts',
  compile: ['tsc', '--target', 'es2022', '--module', 'commonjs', '--types', 'node', '--skipLibCheck', '--outDir', '.', 'main.ts'],
  run: ({ limits, args }) => [
    'node',
    `--max-old-space-size=${Math.max(16, Math.floor(mib(limits.memoryBytes) * 0.75))}`,
    'main.js',
    ...args,
  ],
  compileLimits: { processes: 32 },
  runLimits: { processes: 32 },
  outOfMemoryPattern: /heap out of memory|Allocation failed/,
  version: { argv: ['tsc', '--version'], pattern: /Version (\S+)/ },
};

/** Go. Builds a static binary; the Go runtime's threads need room in the process limit. */
export const go: LanguageDefinition = {
  id: 'go',
  name: 'Go',
  aliases: ['golang'],
  extensions: ['.go'],
  sourceFile: 'main.go',
  compile: ['go', 'build', '-o', 'main', 'main.go'],
  run: ['./main'],
  env: { GOCACHE: '/tmp/go-cache', GOPATH: '/tmp/go', CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GO111MODULE: 'off' },
  compileLimits: { processes: 128 },
  runLimits: { processes: 64 },
  version: { argv: ['go', 'version'], pattern: /go(\d+\.\d+(?:\.\d+)?)/ },
};

/** Rust (rustc, -O). */
export const rust: LanguageDefinition = {
  id: 'rust',
  name: 'Rust',
  aliases: ['rs'],
  extensions: ['.rs'],
  sourceFile: 'main.rs',
  compile: ['rustc', '-O', '--edition', '2021', '-o', 'main', 'main.rs'],
  run: ['./main'],
  version: { argv: ['rustc', '--version'], pattern: /rustc (\S+)/ },
};

/** Bash. */
export const bash: LanguageDefinition = {
  id: 'bash',
  name: 'Bash',
  aliases: ['sh'],
  extensions: ['.sh', '.bash'],
  sourceFile: 'main.sh',
  run: ['bash', 'main.sh'],
  version: { argv: ['bash', '--version'], pattern: /version (\S+)/ },
};

/** Every built-in language, in display order. */
export const builtinLanguages: readonly LanguageDefinition[] = [python3, c, cpp, java, javascript, typescript, go, rust, bash];
