import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinLanguages } from './builtins.js';

// The built-in definitions are the one source of language facts; these files must agree with them.
const repo = (path: string) => readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8');

function imagesList(): Map<string, { languages: string[]; packages: string[]; copy: string[] }> {
  const images = new Map<string, { languages: string[]; packages: string[]; copy: string[] }>();
  for (const line of repo('packages/runner-docker/images/images.list').split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const [name, languages, packages, copy] = line.split('|').map((f) => f.trim());
    const words = (s: string | undefined) => (s ? s.split(/\s+/).filter(Boolean) : []);
    images.set(name!, { languages: words(languages), packages: words(packages), copy: words(copy) });
  }
  return images;
}

describe('language facts', () => {
  it('images.list has one line per built-in image, with the languages, packages and copies the definitions give', () => {
    const expected = new Map<string, { languages: string[]; packages: string[]; copy: string[] }>();
    for (const language of builtinLanguages) {
      const image = language.toolchain?.image;
      expect(image, `${language.id} names its image`).toBeDefined();
      const entry = expected.get(image!.name) ?? { languages: [], packages: image!.packages, copy: image!.copy ?? [] };
      expect(entry.packages, `${language.id} agrees with the other languages of image ${image!.name}`).toEqual(image!.packages);
      entry.languages.push(language.id);
      expected.set(image!.name, entry);
    }
    const listed = imagesList();
    for (const [name, entry] of expected) {
      const line = listed.get(name);
      expect(line, `images.list has a line for ${name}`).toBeDefined();
      expect([...line!.languages].sort()).toEqual([...entry.languages].sort());
      expect([...line!.packages].sort()).toEqual([...entry.packages].sort());
      expect(line!.copy).toEqual(entry.copy);
    }
    // Other lines carry languages that are not built in (the docs' Lua example).
    const builtinIds = new Set(builtinLanguages.map((l) => l.id));
    for (const [name, line] of listed) {
      if (!expected.has(name))
        expect(
          line.languages.filter((id) => builtinIds.has(id)),
          `image ${name}`,
        ).toEqual([]);
    }
  });

  it('the host setup script installs every package the definitions name', () => {
    const script = repo('scripts/setup/toolchains.sh');
    for (const language of builtinLanguages) {
      for (const pkg of language.toolchain?.host ?? []) {
        expect(script, `${language.id}: ${pkg}`).toMatch(new RegExp(`(^|[\\s(])${pkg.replace(/[+.]/g, '\\$&')}([\\s)]|$)`, 'm'));
      }
    }
  });

  it('docs/languages.md lists every built-in with its aliases and source file, and nothing else', () => {
    const docs = repo('docs/languages.md');
    const table = docs.slice(docs.indexOf('## The built-ins'));
    const rows = [...table.matchAll(/^\| `([a-z0-9+_.-]+)` \| ([^|]*) \| `([^`]+)` \|/gm)].map((m) => ({
      id: m[1],
      aliases: [...m[2]!.matchAll(/`([^`]+)`/g)].map((a) => a[1]),
      sourceFile: m[3],
    }));
    expect(rows).toEqual(builtinLanguages.map((l) => ({ id: l.id, aliases: [...(l.aliases ?? [])], sourceFile: l.sourceFile })));
  });
});
