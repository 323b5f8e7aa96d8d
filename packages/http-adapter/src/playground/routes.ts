import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors/http-errors.js';
import type { HttpApi } from '../http/api.js';
import { logoSvg } from '../openapi/logo.js';
import { loadPlayground, type PlaygroundAsset, playgroundDir } from './assets.js';

/**
 * The playground at `/` and its files under `/playground/`: a page built into this package at
 * build time (CodeMirror, xterm.js; no CDN), which talks to this server's `/v1` routes only.
 */
export const playgroundApi: HttpApi = {
  name: 'playground',
  description: 'The browser playground (HTML, not part of the API).',
  undocumented: true,
  enabled: (options) => options.playground,
  async register(app) {
    const dir = playgroundDir();
    const assets = dir ? loadPlayground(dir) : new Map<string, PlaygroundAsset>();
    assets.set('logo.svg', { body: Buffer.from(logoSvg), contentType: 'image/svg+xml', etag: '"judgekit-logo-1"' });
    // The page's links are relative to the prefix the plugin is registered under.
    const base = `${app.prefix}/`;
    const page = assets.get('index.html');
    const html = page ? { ...page, body: Buffer.from(page.body.toString('utf8').replaceAll('%BASE%', base)) } : null;

    const send = (request: FastifyRequest, reply: FastifyReply, asset: PlaygroundAsset, cache: string) => {
      reply.header('etag', asset.etag).header('cache-control', cache).header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.contentType).send(asset.body);
    };

    app.get('/', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async (request, reply) => {
      if (!html) {
        throw new HttpError(
          'JDG_ERR_HTTP_ROUTE_NOT_FOUND',
          'The playground is not built into this package: run `npm run build` (or serve with --no-playground).',
        );
      }
      // Everything the page loads comes from this server: the policy says so to the browser too.
      reply.header(
        'content-security-policy',
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
      );
      return send(request, reply, html, 'no-cache');
    });

    app.get<{ Params: { file: string } }>(
      '/playground/:file',
      { config: { public: true, rateLimit: false }, schema: { hide: true } },
      async (request, reply) => {
        const asset = request.params.file === 'index.html' ? undefined : assets.get(request.params.file);
        if (!asset)
          throw new HttpError('JDG_ERR_HTTP_ROUTE_NOT_FOUND', `No playground file ${JSON.stringify(request.params.file.slice(0, 100))}.`);
        return send(request, reply, asset, 'public, max-age=300');
      },
    );
  },
};
