import * as http from 'node:http';
import type { Duplex } from 'node:stream';

/** Where the Docker Engine listens: a unix socket, or a TCP address (plain HTTP). */
export type EngineAddress = { socketPath: string } | { host: string; port: number };

/**
 * Resolves the engine address from an explicit socket path, else `DOCKER_HOST`
 * (`unix:///path` or `tcp://host:port`), else `/var/run/docker.sock`.
 * @internal
 */
export function resolveEngineAddress(socketPath?: string, dockerHost = process.env.DOCKER_HOST): EngineAddress {
  if (socketPath) return { socketPath };
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return { socketPath: '/var/run/docker.sock' };
}

/** An error answered by the engine (status ≥ 400) or a failure to reach it. @internal */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** A tiny Docker Engine API client over one keep-alive agent; no CLI, no dependencies. @internal */
export class EngineClient {
  readonly address: EngineAddress;
  readonly #agent: http.Agent;

  constructor(address: EngineAddress) {
    this.address = address;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  /** A readable name for messages: the socket path or host:port. */
  get where(): string {
    return 'socketPath' in this.address ? `unix://${this.address.socketPath}` : `tcp://${this.address.host}:${this.address.port}`;
  }

  #options(method: string, path: string, headers: Record<string, string> = {}): http.RequestOptions {
    return { ...this.address, agent: this.#agent, method, path, headers: { Host: 'docker', ...headers } };
  }

  /** Sends one request and parses the JSON answer; throws {@link EngineError} on status ≥ 400. */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = payload
        ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) }
        : {};
      const req = http.request({ ...this.#options(method, path, headers), signal: options.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new EngineError(`Docker engine at ${this.where}: ${e.message}`, null)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            let message = text.trim();
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? message;
            } catch {}
            reject(new EngineError(`${method} ${path.split('?')[0]}: ${message} (HTTP ${status})`, status));
            return;
          }
          if (!text) return resolve(undefined as T);
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            resolve(text as T);
          }
        });
      });
      if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', (e) => reject(new EngineError(`Docker engine at ${this.where}: ${e.message}`, null)));
      req.end(payload);
    });
  }

  /**
   * Opens a raw bidirectional connection (HTTP upgrade), as `docker attach` and `docker exec -i`
   * do: for an exec start (with its JSON body) or a container's attach (no body). The caller
   * demultiplexes the stdout and stderr frames.
   */
  hijack(path: string, body?: unknown): Promise<Duplex> {
    return new Promise<Duplex>((resolve, reject) => {
      const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
      // A fresh connection: an upgraded socket never goes back to the keep-alive pool.
      const req = http.request({
        ...this.address,
        method: 'POST',
        path,
        headers: {
          Host: 'docker',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          'Content-Length': String(payload.length),
          Connection: 'Upgrade',
          Upgrade: 'tcp',
        },
      });
      req.on('upgrade', (_res, socket, head) => {
        socket.setNoDelay(true);
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          reject(
            new EngineError(
              `POST ${path.split('?')[0]}: ${Buffer.concat(chunks).toString().trim()} (HTTP ${res.statusCode})`,
              res.statusCode ?? null,
            ),
          ),
        );
      });
      req.on('error', (e) => reject(new EngineError(`Docker engine at ${this.where}: ${e.message}`, null)));
      req.end(payload);
    });
  }

  /**
   * Follows the engine's event stream (JSON lines) until the connection ends or `signal` aborts.
   * Resolves when the stream ends, for whatever reason.
   */
  events(filters: Record<string, string[]>, onEvent: (event: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const path = `/events?filters=${encodeURIComponent(JSON.stringify(filters))}`;
      const req = http.request({ ...this.address, method: 'GET', path, headers: { Host: 'docker' }, signal }, (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          res.resume();
          res.on('end', resolve);
          return;
        }
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let nl = buffered.indexOf('\n');
          while (nl >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line) {
              try {
                onEvent(JSON.parse(line) as EngineEvent);
              } catch {}
            }
            nl = buffered.indexOf('\n');
          }
        });
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      });
      req.on('error', () => resolve());
      req.end();
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/** One engine event (the fields judgekit reads). @internal */
export interface EngineEvent {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}
