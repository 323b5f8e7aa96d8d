import type { HistoryLog } from './history.js';

/**
 * A logger for what happens before the server's own logger exists (opening the database at
 * start): JSON lines on stderr until `attach` hands over to the real one.
 */
export function deferredLog(stream: NodeJS.WritableStream = process.stderr): HistoryLog & { attach(log: HistoryLog): void } {
  let target: HistoryLog | null = null;
  const line = (level: number) => (obj: object, msg?: string) => {
    stream.write(`${JSON.stringify({ level, time: Date.now(), ...obj, msg })}\n`);
  };
  const early: HistoryLog = { info: line(30), warn: line(40), error: line(50) };
  return {
    info: (obj, msg) => (target ?? early).info(obj, msg),
    warn: (obj, msg) => (target ?? early).warn(obj, msg),
    error: (obj, msg) => (target ?? early).error(obj, msg),
    attach(log) {
      target = log;
    },
  };
}
