import type { LanguageDefinition } from '@judgekit/core';

/**
 * The worked example of docs/languages.md: Lua 5.4 as a custom language. The nsjail runner finds
 * `lua5.4` in the host's /usr (installed by scripts/setup/toolchains.sh); the Docker runner uses the
 * image `judgekit/lua:latest` (the `lua` line of packages/runner-docker/images/images.list).
 */
export const lua: LanguageDefinition = {
  id: 'lua',
  name: 'Lua 5.4',
  aliases: ['lua5.4'],
  extensions: ['.lua'],
  sourceFile: 'main.lua',
  run: ['lua5.4', 'main.lua'],
  // Lua reports a failed allocation as "not enough memory" when an address-space limit stops it.
  outOfMemoryPattern: /not enough memory/,
  version: { argv: ['lua5.4', '-v'], pattern: /Lua (\d+\.\d+\.\d+)/ },
};
