// Text files imported whole (the native sources): `?raw` as vite reads it, and as tsup's
// loader in tsup.config.ts embeds it.
declare module '*?raw' {
  const text: string;
  export default text;
}
