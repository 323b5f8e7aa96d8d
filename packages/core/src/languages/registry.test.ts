import { describe, expect, it } from 'vitest';
import { isJudgeError } from '../errors/judge-error.js';
import { builtinLanguages } from './builtins.js';
import { LanguageRegistry } from './registry.js';

describe('LanguageRegistry', () => {
  it('knows the built-ins by id and alias', () => {
    const registry = new LanguageRegistry();
    expect(registry.ids()).toEqual(builtinLanguages.map((l) => l.id));
    expect(registry.get('py').id).toBe('python3');
    expect(registry.byExtension('Main.java')?.id).toBe('java');
  });

  it('refuses an unknown language listing the known ones', () => {
    const registry = new LanguageRegistry();
    expect(() => registry.get('cobol')).toThrow(/known: python3, c, cpp/);
  });

  it('registers a custom language and refuses a duplicate', () => {
    const registry = new LanguageRegistry();
    registry.register({ id: 'lua', name: 'Lua', sourceFile: 'main.lua', run: ['lua', 'main.lua'] });
    expect(registry.get('lua').name).toBe('Lua');
    try {
      registry.register({ id: 'lua', name: 'Lua', sourceFile: 'main.lua', run: ['lua'] });
      expect.unreachable();
    } catch (e) {
      expect(isJudgeError(e, 'JDG_ERR_LANGUAGE_DUPLICATE')).toBe(true);
    }
  });

  it('refuses a malformed definition naming the field', () => {
    const registry = new LanguageRegistry([]);
    expect(() => registry.register({ id: 'Bad Id', name: 'x', sourceFile: 'a', run: ['x'] })).toThrow(/id/);
    expect(() => registry.register({ id: 'ok', name: 'x', sourceFile: '../a', run: ['x'] })).toThrow(/sourceFile/);
  });
});
