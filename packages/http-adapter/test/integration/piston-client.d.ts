// piston-client ships no types; the surface these tests use.
declare module 'piston-client' {
  interface PistonStage {
    stdout: string;
    stderr: string;
    output: string;
    code: number | null;
    signal: string | null;
    status?: string | null;
    message?: string | null;
  }
  interface PistonClient {
    runtimes(): Promise<{ language: string; version: string; aliases: string[] }[] | { success: false; error: unknown }>;
    execute(
      language: string,
      code: string,
      config?: {
        stdin?: string;
        args?: string[];
        runTimeout?: number;
        compileTimeout?: number;
        version?: string;
        files?: { name?: string; content: string }[];
      },
    ): Promise<{ language: string; version: string; run: PistonStage; compile?: PistonStage; message?: string }>;
  }
  export function piston(options: { server: string }): PistonClient;
  export default piston;
}
