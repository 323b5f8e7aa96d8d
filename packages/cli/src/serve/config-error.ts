/** Raised for a bad flag, variable or config file; the message names the setting and its source (exit code 2). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
