/** What a link carries besides the submission id: the editor's state, so the page can show it again. */
export interface SharedState {
  language: string;
  source: string;
  stdin: string;
  tests: { input: string; expectedOutput: string }[];
}

/** `?submission=ID#STATE`: the id in the query, the program (base64url JSON) in the fragment, which never reaches a server. */
export function shareUrl(id: string, state: SharedState): string {
  const url = new URL(location.href);
  url.search = `?submission=${encodeURIComponent(id)}`;
  const json = new TextEncoder().encode(JSON.stringify(state));
  url.hash = json.length <= 16_384 ? toBase64Url(json) : '';
  return url.toString();
}

/** The id and state of the page's own URL, when it is a shared link. */
export function readShared(): { id: string | null; state: SharedState | null } {
  const id = new URLSearchParams(location.search).get('submission');
  let state: SharedState | null = null;
  if (location.hash.length > 1) {
    try {
      state = JSON.parse(new TextDecoder().decode(fromBase64Url(location.hash.slice(1)))) as SharedState;
    } catch {
      state = null;
    }
  }
  return { id, state };
}

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
