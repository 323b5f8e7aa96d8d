import { parse } from 'shell-quote';

/**
 * Judge0 writes `compiler_options` and `command_line_arguments` into a Bash script after
 * `.strip` and removing the characters `$ & ; < > |` and backtick (`IsolateJob`), and Bash then
 * splits them into words. This does the same filtering and splitting (quotes and backslashes as
 * Bash reads them, with shell-quote), so the program gets the argv Judge0's would. What Bash would
 * expand further — globs, braces, `~`, comments, parentheses, a second line — is refused rather
 * than passed on differently.
 */
export function splitArguments(raw: string): { args: string[] } | { error: string } {
  const filtered = raw.replace(/[$&;<>|`]/g, '').trim();
  if (filtered.length === 0) return { args: [] };
  if (/[\r\n]/.test(filtered)) return { error: 'must be on one line (Bash would run a second line as another command)' };
  if (/[{}~]/.test(filtered))
    return { error: 'uses brace or tilde expansion, which judgekit does not perform; quote nothing that needs it' };
  const words = parse(filtered);
  const args: string[] = [];
  for (const word of words) {
    if (typeof word === 'string') {
      args.push(word);
      continue;
    }
    if ('comment' in word) return { error: 'holds a # comment, which judgekit does not pass on' };
    if (word.op === 'glob')
      return { error: `holds the unquoted pattern ${JSON.stringify(word.pattern)}; quote it (judgekit does not expand globs)` };
    return { error: `holds the shell operator ${JSON.stringify(word.op)}, which judgekit does not run` };
  }
  return { args };
}
