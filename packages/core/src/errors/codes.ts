/**
 * Every code a {@link JudgeError} can carry, with a one-line meaning.
 * `docs/errors.md` documents each one; a test fails when a code is missing there.
 */
export const errorCodes = {
  JDG_ERR_INPUT_INVALID: 'An argument or submission failed validation; `details.issues` lists each field path.',
  JDG_ERR_LANGUAGE_UNKNOWN: 'The submission names a language (or version) that is not registered.',
  JDG_ERR_LANGUAGE_INVALID: 'A language definition given to `registerLanguage` or the `Judge` options is malformed.',
  JDG_ERR_LANGUAGE_DUPLICATE: 'A language with this id is already registered.',
  JDG_ERR_LIMIT_EXCEEDS_MAX: 'A requested limit is above the configured maximum; it is refused, never clamped.',
  JDG_ERR_QUEUE_FULL: 'The queue already holds `maxQueued` waiting submissions; retry later.',
  JDG_ERR_JUDGE_CLOSED: 'The judge is closing or closed and takes no new work.',
  JDG_ERR_SUBMISSION_NOT_FOUND: 'No submission with this id is stored (never created, deleted, or expired).',
  JDG_ERR_WAIT_TIMEOUT: '`wait()` gave up after `timeoutMs` before the submission finished.',
  JDG_ERR_OPERATION_ABORTED: 'The operation was aborted through its `AbortSignal`.',
  JDG_ERR_SANDBOX_FAILED:
    'The sandbox itself failed (setup, a mount, the sandbox tool exited with its own error); not a verdict on the program.',
  JDG_ERR_SANDBOX_UNAVAILABLE: 'The runner cannot create sandboxes on this host (tool missing, engine down, no permission).',
  JDG_ERR_SANDBOX_DISPOSED: 'The sandbox was used after `dispose()`.',
  JDG_ERR_SANDBOX_PATH_INVALID: 'A file path given to `write`/`read` is absolute, escapes the work directory, or names a link.',
  JDG_ERR_SANDBOX_FILE_TOO_LARGE: 'A file read back from a sandbox is larger than the allowed size.',
  JDG_ERR_RUNNER_CLOSED: 'The runner was closed or destroyed and opens no more sandboxes.',
  JDG_ERR_STORE_FAILED: 'The result store failed to read or write.',
  JDG_ERR_LISTING_UNAVAILABLE: 'The judge’s result store cannot list submissions (it has no `list`).',
  JDG_ERR_CONFIG_INVALID: 'Options given to a constructor or server are malformed.',
  JDG_ERR_WEBHOOK_URL_REFUSED:
    'A callback URL is refused: not http(s), carries credentials, or names (or resolves to) a loopback, link-local, private or reserved address that the server does not allow-list.',
  JDG_ERR_TENANT_QUOTA_EXCEEDED: 'The tenant already has as many submissions waiting (or running) as its quota allows; retry later.',
  JDG_ERR_DATABASE_UNAVAILABLE: 'PostgreSQL cannot be reached (connection refused, authentication failed, timed out).',
  JDG_ERR_DATABASE_MIGRATION_FAILED: 'Applying the database migrations failed, or the schema is older than this version needs.',
  JDG_ERR_BACKEND_UNAVAILABLE:
    'The shared queue, store or bus (Redis) cannot be reached; nothing was changed. Every node reconnects by itself; retry later.',
  JDG_ERR_KEY_NOT_FOUND: 'No API key (or tenant) with this id exists.',
  JDG_ERR_SESSION_LIMIT: 'The judge (or the API key) already runs as many live sessions as its cap allows; retry later.',
  JDG_ERR_SESSION_UNSUPPORTED: 'The runner cannot run live commands (sessions, interactive problems).',
} as const;

/** A stable error code: `JDG_ERR_<AREA>_<PROBLEM>`. */
export type ErrorCode = keyof typeof errorCodes;
