import type { LanguageDefinition } from '../languages/definition.js';
import type { Runner } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';

/** @internal Runs a language's version probe in a sandbox; `null` when it has none or it fails. */
export async function detectVersion(
  runner: Runner,
  language: LanguageDefinition,
  limits: Limits,
  signal?: AbortSignal,
): Promise<string | null> {
  if (!language.version) return null;
  try {
    const box = await runner.open({ language }, { signal });
    try {
      const out = await box.exec(
        {
          argv: language.version.argv,
          env: language.env,
          limits: {
            ...limits,
            ...language.compileLimits,
            wallTimeMs: 10_000,
            cpuTimeMs: 10_000,
            memoryBytes: Math.max(limits.memoryBytes, 512 * 1024 * 1024),
            processes: 128,
          },
        },
        { signal },
      );
      const match = language.version.pattern.exec(`${out.stdout}\n${out.stderr}`);
      return match?.[1] ?? null;
    } finally {
      await box.dispose();
    }
  } catch {
    return null;
  }
}

/** @internal `3.11` matches `3.11.2`; `3` matches `3.11.2`; `3.1` does not match `3.11.2`. */
export function versionMatches(wanted: string, actual: string): boolean {
  if (wanted === actual) return true;
  return actual.startsWith(`${wanted}.`);
}
