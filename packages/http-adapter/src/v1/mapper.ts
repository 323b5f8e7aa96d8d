import type { LanguageDefinition } from '@judgekit/core';
import type { LanguageInfo } from './schemas.js';

/** A registered language, with the version detected on this host, as `/v1/languages` lists it. */
export function toLanguageInfo(language: LanguageDefinition, version: string | null): LanguageInfo {
  return {
    id: language.id,
    name: language.name,
    aliases: [...(language.aliases ?? [])],
    extensions: [...(language.extensions ?? [])],
    compiled: language.compile !== undefined,
    version,
  };
}

/** The ids of `?ids=a,b`, trimmed, empty entries dropped. */
export function parseIds(ids: string): string[] {
  return ids
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
