import express, { type Express, type Request } from 'express';
import * as fs from 'fs';
import * as path from 'path';
import { mountTokenRoute, type TokenMode, type TokenRouteOptions } from './tokenRoute';
import { fromRoot } from '../../config/paths';

/** Where the widget's files are served from; the page refers to them relatively, so a path prefix in front still works. */
export const WIDGET_PATH = '/webchat';

export interface WebChatOptions extends TokenRouteOptions {
  /** Folder with index.html and widget.js (default: web/ of this repository). */
  webDir?: string;
}

/** Web Chat's browser bundle (UMD, React included, defines window.WebChat) from node_modules: no CDN at run time. */
export function webChatBundlePath(): string {
  // The package's "exports" hide dist/ from require.resolve; its main entry (lib/index.js) sits beside dist/.
  const bundle = path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
  if (!fs.existsSync(bundle)) throw new Error(`Web Chat bundle not found at ${bundle}: is botframework-webchat installed?`);
  return bundle;
}


function contentSecurityPolicy(req: Request, mode: TokenMode, publicBaseUrl: string | undefined): string {
  // blob: because Web Chat's upload reads the chosen file back from a blob: URL before posting it.
  const connect = new Set(["'self'", 'blob:']);
  const origins = [`${req.protocol}://${req.get('host')}`];
  if (publicBaseUrl) origins.push(new URL(publicBaseUrl).origin);
  if (mode.mode === 'azure') origins.push(new URL(mode.endpoint).origin);
  for (const origin of origins) {
    connect.add(origin);
    connect.add(origin.replace(/^http/, 'ws'));
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Web Chat styles its components with generated <style> elements.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "media-src 'self' data: blob:",
    // Web Chat makes the thumbnail of a file to upload in a worker it starts from a blob: URL.
    "worker-src 'self' blob:",
    "font-src 'self' data:",
    `connect-src ${[...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

/**
 * The customer-service web widget: GET / is a full-page chat, /webchat/widget.js embeds it in any page
 * (data-product, data-site, data-locale, data-target on its script tag), /webchat/vendor/webchat.js is Web Chat itself,
 * and POST /api/directline/token gives each page a token for one new conversation.
 */
export function mountWebChat(app: Express, options: WebChatOptions): { mode: TokenMode } {
  const webDir = options.webDir ?? fromRoot('web');
  const bundle = webChatBundlePath();
  const publicBaseUrl = options.publicBaseUrl ?? ((options.env ?? process.env).PUBLIC_BASE_URL || undefined);
  const mode = mountTokenRoute(app, options);

  app.get('/', (req, res) => {
    res.set({ 'Content-Security-Policy': contentSecurityPolicy(req, mode, publicBaseUrl), 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' });
    res.sendFile(path.join(webDir, 'index.html'));
  });
  app.get(`${WIDGET_PATH}/widget.js`, (_req, res) => {
    res.set({ 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'Access-Control-Allow-Origin': '*' });
    res.sendFile(path.join(webDir, 'widget.js'));
  });
  app.get(`${WIDGET_PATH}/vendor/webchat.js`, (_req, res) => {
    res.set({ 'Cache-Control': 'public, max-age=86400', 'X-Content-Type-Options': 'nosniff', 'Access-Control-Allow-Origin': '*' });
    res.sendFile(bundle);
  });
  app.get(`${WIDGET_PATH}/vendor/webchat.js.LICENSE.txt`, (_req, res) => res.sendFile(`${bundle}.LICENSE.txt`));
  // Anything else under the widget path is a 404 here, not the bot's error handler.
  app.use(WIDGET_PATH, express.Router().use((_req, res) => res.status(404).type('text/plain').send('not found')));
  return { mode };
}
