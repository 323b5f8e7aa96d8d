import { describe, expect, it } from 'vitest';
import { isJudgeError } from '../errors/judge-error.js';
import { builtinLanguages } from './builtins.js';
import { LanguageRegistry } from './registry.js';
import { parseLanguageConfig } from './schema.js';

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

describe('LanguageRegistry.register with replace', () => {
  it('replaces the language of the same id, dropping its old aliases, but never takes another language’s name', () => {
    const registry = new LanguageRegistry();
    registry.register(
      { id: 'python3', name: 'PyPy', aliases: ['pypy'], sourceFile: 'main.py', run: ['pypy3', 'main.py'] },
      { replace: true },
    );
    expect(registry.get('pypy').name).toBe('PyPy');
    expect(registry.find('py')).toBeUndefined();
    expect(() =>
      registry.register({ id: 'lua', name: 'Lua', aliases: ['js'], sourceFile: 'main.lua', run: ['lua'] }, { replace: true }),
    ).toThrow(/"js" is already registered \(an alias of javascript\)/);
  });
});

describe('parseLanguageConfig', () => {
  it('parses the JSON form of a definition into one the registry accepts, patterns compiled', () => {
    const lua = parseLanguageConfig({
      id: 'lua',
      name: 'Lua',
      sourceFile: 'main.lua',
      run: ['lua5.4', 'main.lua'],
      outOfMemoryPattern: 'not enough memory',
      syntaxCheck: { command: ['luac5.4', '-p', 'main.lua'], pattern: { source: '^luac', flags: 'm' } },
      version: { argv: ['lua5.4', '-v'], pattern: 'Lua (\\S+)' },
    });
    expect(lua.syntaxCheck?.pattern.flags).toBe('m');
    expect(lua.version?.pattern.exec('Lua 5.4.6')?.[1]).toBe('5.4.6');
    new LanguageRegistry().register(lua);
  });

  it('refuses what JSON cannot mean or the core would refuse, naming the field', () => {
    const base = { id: 'lua', name: 'Lua', sourceFile: 'main.lua', run: ['lua'] };
    const refused = (extra: object) => {
      try {
        parseLanguageConfig({ ...base, ...extra });
        return null;
      } catch (error) {
        expect(isJudgeError(error, 'JDG_ERR_LANGUAGE_INVALID')).toBe(true);
        return (error as Error).message;
      }
    };
    expect(refused({ outOfMemoryPattern: '(' })).toMatch(/outOfMemoryPattern: not a valid regular expression/);
    expect(refused({ run: 'lua main.lua' })).toMatch(/run/);
    expect(refused({ compileLimits: { cpuTime: 1 } })).toMatch(/compileLimits/);
    expect(refused({ colour: 'red' })).toMatch(/colour/);
    expect(refused({ sourceFileFrom: { pattern: 'x', file: '../$1' } })).toMatch(/sourceFileFrom\.file/);
    expect(refused({})).toBeNull();
  });
});
