/** `1.2 MiB`, `640 KiB`, `512 B`. */
export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

/** `12 ms`, `1.25 s`. */
export function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
}

/** `accepted` → `Accepted`, `wrong_answer` → `Wrong answer`. */
export function verdictLabel(v: string | null): string {
  if (!v) return '…';
  const s = v.replaceAll('_', ' ');
  return s[0]!.toUpperCase() + s.slice(1);
}

/** A DOM element with attributes and children, in one call. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}
