import { defaultMaxLimits, JudgeError, LanguageRegistry } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { buildZip } from '../../test/judge0-zip.js';
import { fieldErrorsOf } from './errors.js';
import { multiFileLanguage } from './languages.js';
import { resolveJudge0Options } from './options.js';
import { Judge0Invalid, type RequestContext, readRequest, toSubmission } from './request.js';

const registry = new LanguageRegistry();
registry.register(multiFileLanguage);
const ctx: RequestContext = {
  options: resolveJudge0Options(),
  languageOf: (entry) => registry.find(entry.language),
  compilerOptions: false,
  callbacks: false,
};
const errorsOf = (body: unknown, base64 = false) => {
  try {
    readRequest(body, base64, ctx);
  } catch (error) {
    if (error instanceof Judge0Invalid) return error.errors;
    throw error;
  }
  throw new Error('expected Judge0Invalid');
};

describe('reading a Judge0 submission', () => {
  it('applies Judge0 CE 1.13.1’s defaults and casts strings the way Rails does', () => {
    const r = readRequest(
      { source_code: 'print(1)', language_id: '71', cpu_time_limit: '2.5', number_of_runs: '3', unknown: 1 },
      false,
      ctx,
    );
    expect(r).toMatchObject({
      languageId: 71,
      numberOfRuns: 3,
      cpuTimeLimit: 2.5,
      cpuExtraTime: 1,
      wallTimeLimit: 10,
      memoryLimit: 128_000,
      maxProcessesAndOrThreads: 60,
      maxFileSize: 1024,
      stdin: null,
      expectedOutput: null,
    });
    expect(r.language.id).toBe('python3');
  });

  it('answers Judge0’s documented 422s', () => {
    expect(errorsOf({ source_code: 'int main(){}' })).toEqual({ language_id: ["can't be blank"] });
    expect(errorsOf({ source_code: 'x', language_id: 150000 })).toEqual({ language_id: ["language with id 150000 doesn't exist"] });
    expect(errorsOf({ source_code: '', language_id: 71 })).toEqual({ source_code: ["can't be blank"] });
  });

  it('answers every failing field at once, with Rails’ messages', () => {
    expect(
      errorsOf({
        source_code: 'x',
        language_id: 71,
        number_of_runs: 0,
        cpu_time_limit: 'fast',
        wall_time_limit: 0.5,
        memory_limit: 1000,
        max_processes_and_or_threads: 0,
        cpu_extra_time: 6,
      }),
    ).toEqual({
      number_of_runs: ['must be greater than 0'],
      cpu_time_limit: ['is not a number'],
      cpu_extra_time: ['must be less than or equal to 5.0'],
      wall_time_limit: ['must be greater than or equal to 1'],
      memory_limit: ['must be greater than or equal to 2048'],
      max_processes_and_or_threads: ['must be greater than 0'],
    });
  });

  it('refuses, never ignores, what judgekit cannot honour', () => {
    expect(
      errorsOf({
        source_code: 'x',
        language_id: 50,
        enable_network: true,
        enable_per_process_and_thread_time_limit: 'true',
        enable_per_process_and_thread_memory_limit: 1,
        compiler_options: '-O3',
        redirect_stderr_to_stdout: true,
        callback_url: 'http://127.0.0.1:9/cb',
        stack_limit: 128_001,
      }),
    ).toEqual({
      enable_network: ['enabling network is not allowed'],
      enable_per_process_and_thread_time_limit: ['this option cannot be enabled'],
      enable_per_process_and_thread_memory_limit: ['this option cannot be enabled'],
      compiler_options: ['setting compiler options is not allowed'],
      callback_url: ['setting callback is not allowed'],
      stack_limit: ['must be less than or equal to 128000'],
    });
    // false is what judgekit does anyway, so it is accepted.
    expect(() => readRequest({ source_code: 'x', language_id: 71, enable_network: false, stack_limit: 0 }, false, ctx)).not.toThrow();
  });

  it('decodes base64 source, stdin and expected output with or without line breaks', () => {
    const source = Buffer.from('print(input())\n').toString('base64');
    const r = readRequest({ source_code: source, language_id: 71, stdin: 'aGVs\nbG8=\n', expected_output: 'aGVsbG8=' }, true, ctx);
    expect(r.sourceCode?.toString()).toBe('print(input())\n');
    expect(r.stdin).toBe('hello');
    expect(r.expectedOutput).toBe('hello');
    expect(errorsOf({ source_code: source, language_id: 71, stdin: Buffer.from([0xff, 0xfe]).toString('base64') }, true)).toEqual({
      stdin: ['is not valid UTF-8 once decoded (judgekit passes it to the program as text)'],
    });
  });

  it('takes language 89 from additional_files and refuses a source_code beside it', () => {
    expect(errorsOf({ language_id: 89 })).toEqual({ additional_files: ["can't be blank"] });
    expect(errorsOf({ language_id: 89, source_code: 'x', additional_files: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' })).toEqual({
      source_code: ['must be blank'],
    });
  });
});

describe('compiler options and stderr', () => {
  const withOptions: RequestContext = { ...ctx, compilerOptions: true };
  it('splits compiler_options into the compile step’s arguments, for compiled languages only', async () => {
    const r = readRequest(
      { source_code: 'int main(){}', language_id: 54, compiler_options: `-O3 -DNAME='"x y"'`, redirect_stderr_to_stdout: true },
      false,
      withOptions,
    );
    const input = await toSubmission(r, withOptions, defaultMaxLimits);
    expect(input).toMatchObject({ compileArgs: ['-O3', '-DNAME="x y"'], stderrToStdout: true });
    expect(() => readRequest({ source_code: 'print(1)', language_id: 71, compiler_options: '-O' }, false, withOptions)).toThrow(
      Judge0Invalid,
    );
    try {
      readRequest({ language_id: 89, additional_files: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', compiler_options: '-O' }, false, withOptions);
    } catch (error) {
      expect((error as Judge0Invalid).errors).toEqual({
        compiler_options: ['setting compiler options is only allowed for compiled languages'],
      });
    }
  });
});

describe('mapping onto a judgekit submission', () => {
  it('makes one test per run, stopping at the first failure, with Judge0’s comparison and judgekit’s units', async () => {
    const r = readRequest(
      {
        source_code: 'print(input())',
        language_id: 71,
        stdin: 'hi',
        expected_output: 'hi',
        number_of_runs: 2,
        cpu_time_limit: 0.5,
        memory_limit: 64_000,
        max_file_size: 0,
        command_line_arguments: "a 'b c'",
      },
      false,
      ctx,
    );
    const input = await toSubmission(r, ctx, defaultMaxLimits);
    expect(input).toMatchObject({
      language: 'python3',
      files: [{ content: 'print(input())' }],
      tests: [
        { input: 'hi', expectedOutput: 'hi' },
        { input: 'hi', expectedOutput: 'hi' },
      ],
      limits: {
        cpuTimeMs: 500,
        wallTimeMs: 10_000,
        memoryBytes: 64_000 * 1024,
        processes: 60,
        outputBytes: defaultMaxLimits.outputBytes,
        fileSizeBytes: defaultMaxLimits.fileSizeBytes,
      },
      checker: 'lines',
      args: ['a', 'b c'],
      stopOnFirstFailure: true,
    });
    expect(input.metadata).toMatchObject({
      'judge0.language_id': '71',
      'judge0.number_of_runs': '2',
      'judge0.command_line_arguments': "a 'b c'",
    });
  });

  it('puts the archive beside the source, never over it (unzip -n), and makes the run script the main file of language 89', async () => {
    const archive = buildZip([
      { name: 'main.py', data: 'print("from the zip")' },
      { name: 'helper.py', data: 'X = 1' },
    ]).toString('base64');
    const single = await toSubmission(
      readRequest({ source_code: 'import helper', language_id: 71, additional_files: archive }, false, ctx),
      ctx,
      defaultMaxLimits,
    );
    expect(
      single.files?.map((f) => [f.name ?? '(main)', Buffer.from(f.content, f.encoding === 'base64' ? 'base64' : 'utf8').toString()]),
    ).toEqual([
      ['(main)', 'import helper'],
      ['helper.py', 'X = 1'],
    ]);
    const project = buildZip([
      { name: 'compile', data: 'gcc -o prog main.c' },
      { name: 'run', data: './prog' },
      { name: 'main.c', data: 'int main(){}' },
    ]).toString('base64');
    const multi = await toSubmission(readRequest({ language_id: 89, additional_files: project }, false, ctx), ctx, defaultMaxLimits);
    expect(multi.language).toBe('multi-file');
    expect(multi.files?.map((f) => f.name ?? '(main)')).toEqual(['(main)', 'compile', 'main.c']);
    expect(Buffer.from(multi.files![0]!.content, 'base64').toString()).toBe('./prog');
    const noRun = buildZip([{ name: 'compile', data: 'true' }]).toString('base64');
    await expect(
      toSubmission(readRequest({ language_id: 89, additional_files: noRun }, false, ctx), ctx, defaultMaxLimits),
    ).rejects.toMatchObject({
      errors: { additional_files: ['must hold a `run` script at the root of the archive'] },
    });
  });

  it('refuses a hostile archive as a 422 on additional_files', async () => {
    const slip = buildZip([{ name: '../../x', data: 'x' }]).toString('base64');
    await expect(
      toSubmission(readRequest({ source_code: 'x', language_id: 71, additional_files: slip }, false, ctx), ctx, defaultMaxLimits),
    ).rejects.toMatchObject({
      errors: { additional_files: [expect.stringMatching(/a path with \.\./)] },
    });
  });
});

describe('judge errors back in Judge0’s shapes', () => {
  it('names the Judge0 field and its maximum in Judge0’s units', () => {
    const over = new JudgeError('JDG_ERR_LIMIT_EXCEEDS_MAX', 'limits.wallTimeMs is 100000000, above the maximum 60000.', {
      details: { limit: 'wallTimeMs', requested: 100_000_000, max: 60_000 },
    });
    expect(fieldErrorsOf(over, 71, defaultMaxLimits)).toEqual({ wall_time_limit: ['must be less than or equal to 60.0'] });
    const memory = new JudgeError('JDG_ERR_LIMIT_EXCEEDS_MAX', 'x', { details: { limit: 'memoryBytes', max: 2 * 1024 * 1024 * 1024 } });
    expect(fieldErrorsOf(memory, 71, defaultMaxLimits)).toEqual({ memory_limit: ['must be less than or equal to 2097152'] });
  });

  it('maps input paths to fields', () => {
    const invalid = new JudgeError('JDG_ERR_INPUT_INVALID', 'x', {
      details: {
        issues: [
          { path: 'files.2.name', message: 'file name must be a relative path of letters, digits and . _ + -, received "a b"' },
          { path: 'tests.0.input', message: 'too long' },
        ],
      },
    });
    expect(fieldErrorsOf(invalid, 71, defaultMaxLimits)).toEqual({
      additional_files: ['holds a file judgekit refuses: file name must be a relative path of letters, digits and . _ + -, received "a b"'],
      stdin: ['too long'],
    });
    expect(fieldErrorsOf(new JudgeError('JDG_ERR_QUEUE_FULL', 'full'), 71, defaultMaxLimits)).toBeNull();
  });
});

describe('stack_limit and callback_url', () => {
  it('sets the program’s stack limit from stack_limit in KB (Judge0’s default 64000), and leaves it to the memory limit for 0', async () => {
    const byDefault = await toSubmission(readRequest({ source_code: 'x', language_id: 71 }, false, ctx), ctx, defaultMaxLimits);
    expect(byDefault.stackBytes).toBe(64_000 * 1024);
    const given = await toSubmission(
      readRequest({ source_code: 'x', language_id: 71, stack_limit: '2048' }, false, ctx),
      ctx,
      defaultMaxLimits,
    );
    expect(given.stackBytes).toBe(2048 * 1024);
    const unlimited = await toSubmission(
      readRequest({ source_code: 'x', language_id: 71, stack_limit: 0 }, false, ctx),
      ctx,
      defaultMaxLimits,
    );
    expect(unlimited.stackBytes).toBeUndefined();
    expect(errorsOf({ source_code: 'x', language_id: 71, stack_limit: -1 })).toEqual({
      stack_limit: ['must be greater than or equal to 0'],
    });
  });

  it('hands callback_url to the judge’s webhooks when the server sends them, keeping it for the answer', async () => {
    const withCallbacks = { ...ctx, callbacks: true };
    const request = readRequest({ source_code: 'x', language_id: 71, callback_url: 'https://hooks.example/j0' }, false, withCallbacks);
    const input = await toSubmission(request, withCallbacks, defaultMaxLimits);
    expect(input.callbackUrl).toBe('https://hooks.example/j0');
    expect(input.metadata?.['judge0.callback_url']).toBe('https://hooks.example/j0');
    expect(errorsOf({ source_code: 'x', language_id: 71, callback_url: 'h'.repeat(1025) })).toEqual({
      callback_url: ['setting callback is not allowed'],
    });
  });

  it('answers a refused callback URL on callback_url', () => {
    const refused = new JudgeError('JDG_ERR_WEBHOOK_URL_REFUSED', 'Callback URL refused: 10.0.0.7 is a private address.', {
      details: { reason: 'private' },
    });
    expect(fieldErrorsOf(refused, 71, defaultMaxLimits)).toEqual({
      callback_url: ['Callback URL refused: 10.0.0.7 is a private address.'],
    });
  });
});
