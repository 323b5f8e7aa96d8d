import { cpp } from '@codemirror/lang-cpp';
import { go } from '@codemirror/lang-go';
import { java } from '@codemirror/lang-java';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { rust } from '@codemirror/lang-rust';
import { StreamLanguage } from '@codemirror/language';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { Compartment, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';

/** Syntax highlighting of each built-in language (and of their usual aliases). */
const highlighters: Record<string, () => Extension> = {
  python3: () => python(),
  c: () => cpp(),
  cpp: () => cpp(),
  java: () => java(),
  javascript: () => javascript(),
  typescript: () => javascript({ typescript: true }),
  go: () => go(),
  rust: () => rust(),
  bash: () => StreamLanguage.define(shell),
};

/** The highlighter of a language id, matched by its id or its file extensions. */
export function highlighterOf(id: string, extensions: readonly string[] = []): Extension {
  const direct = highlighters[id];
  if (direct) return direct();
  const byExt: Record<string, string> = {
    '.py': 'python3',
    '.c': 'c',
    '.cpp': 'cpp',
    '.cc': 'cpp',
    '.java': 'java',
    '.js': 'javascript',
    '.ts': 'typescript',
    '.go': 'go',
    '.rs': 'rust',
    '.sh': 'bash',
  };
  for (const ext of extensions) {
    const match = byExt[ext];
    if (match) return highlighters[match]!();
  }
  return [];
}

/** The source editor: CodeMirror 6 with the language's highlighting, Ctrl/Cmd+Enter runs. */
export class SourceEditor {
  readonly view: EditorView;
  readonly #language = new Compartment();

  constructor(parent: HTMLElement, onRun: () => void) {
    this.view = new EditorView({
      parent,
      doc: '',
      extensions: [
        keymap.of([
          {
            key: 'Mod-Enter',
            run: () => {
              onRun();
              return true;
            },
          },
        ]),
        basicSetup,
        this.#language.of([]),
        EditorView.contentAttributes.of({ 'aria-label': 'Source code', 'aria-multiline': 'true' }),
        EditorView.theme({ '&': { height: '100%' }, '.cm-scroller': { fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace' } }),
      ],
    });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  set text(value: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
  }

  setLanguage(id: string, extensions: readonly string[]): void {
    this.view.dispatch({ effects: this.#language.reconfigure(highlighterOf(id, extensions)) });
  }
}
