import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors/http-errors.js';

/**
 * @internal
 * Request bodies as clients really send them. Many clients put `Content-Type: application/json`
 * on every request, also a `DELETE` or a `POST .../cancel` with no body: a route that takes no
 * body accepts an empty one whatever its content type says. A route that takes a body still
 * refuses an empty one (`JDG_ERR_HTTP_BODY_MALFORMED`), and JSON keeps Fastify's own parser
 * (prototype-poisoning checks included).
 */
export function acceptEmptyBodies(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && !takesBody(request)) return done(null, undefined);
    json(request, body as string, done);
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && !takesBody(request)) return done(null, undefined);
    const type = String(request.headers['content-type'] ?? '');
    done(new HttpError('JDG_ERR_HTTP_MEDIA_TYPE', `Unsupported content type ${JSON.stringify(type)}: send application/json.`), undefined);
  });
}

function takesBody(request: FastifyRequest): boolean {
  return request.routeOptions.schema?.body !== undefined;
}

/** How long a refused upload is read (and thrown away) before the connection is closed anyway. */
const drainMs = 30_000;

/**
 * @internal
 * Before answering 413, reads and discards the rest of the refused body (at most `maxBytes`, at
 * most 30 s), then the answer closes the connection. A client still uploading then reads the 413
 * instead of meeting a reset connection (`EPIPE`) mid-upload.
 */
export function drainRefusedBody(request: FastifyRequest, reply: FastifyReply, maxBytes: number): Promise<void> {
  reply.header('connection', 'close');
  const req = request.raw;
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('error', finish);
      req.off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    };
    const timer = setTimeout(finish, drainMs);
    timer.unref();
    req.on('data', onData);
    req.once('end', finish);
    req.once('error', finish);
    req.once('close', finish);
    req.resume();
  });
}
