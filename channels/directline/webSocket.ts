import type { IncomingMessage, Server } from 'http';
import type { Server as HttpsServer } from 'https';
import type { Duplex } from 'stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import { parseWatermark, type ActivitySet, type ConversationStore } from './conversationStore';
import type { TokenService } from './tokens';

/** Streams per conversation (tabs of one user); more get 429. */
const MAX_STREAMS_PER_CONVERSATION = 8;
/** A stream that doesn't answer a ping within this interval is dropped. */
const HEARTBEAT_MS = 30_000;
/** A reader this far behind is dropped rather than buffered without bound; it reconnects with its watermark. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

function reject(socket: Duplex, status: number, text: string, code?: string): void {
  const body = code ? JSON.stringify({ error: { code, message: text } }) : text;
  const type = code ? 'application/json' : 'text/plain';
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  else socket.destroy();
}

/**
 * The WebSocket side of the Direct Line: GET {basePath}/conversations/:id/stream?t=<stream ticket>&watermark=N upgrades
 * to a socket that first receives what the conversation holds after the watermark, then every new activity set
 * (from any instance sharing the store). Other upgrade paths are left alone for other listeners.
 */
export class StreamServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly servers = new Set<Server | HttpsServer>();
  private readonly pattern: RegExp;
  private readonly open = new Map<string, number>();

  constructor(
    private readonly store: ConversationStore,
    private readonly tokens: () => Promise<TokenService>,
    private readonly logger: Logger,
    basePath: string,
  ) {
    this.pattern = new RegExp(`^${basePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/conversations/([^/]+)/stream$`);
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Hooks a server's 'upgrade' event (call once per listening server). */
  attach(server: Server | HttpsServer): void {
    if (this.servers.has(server)) return;
    this.servers.add(server);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
  }

  /** Whether the request was for a Direct Line stream (and so answered here). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    // A malformed request line (//[/x, %E0%A4%A) must not throw here: this runs in the server's 'upgrade' event.
    let url: URL;
    let conversationId: string;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      const match = this.pattern.exec(url.pathname);
      if (!match) return false;
      conversationId = decodeURIComponent(match[1]);
    } catch {
      socket.on('error', () => undefined);
      reject(socket, 400, 'Bad Request');
      return true;
    }
    // Until ws takes the socket over, nothing else listens for its errors: a client reset would end the process.
    socket.on('error', (err) => this.logger.debug({ err: err.message }, 'Direct Line stream request socket error'));
    this.upgrade(req, socket, head, url, conversationId).catch((err: Error) => {
      this.logger.warn({ err: err.message }, 'Direct Line stream could not open');
      reject(socket, 503, 'Service Unavailable');
    });
    return true;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, conversationId: string): Promise<void> {
    const check = (await this.tokens()).verify(url.searchParams.get('t') ?? undefined, 'stream');
    if (!check.ok) {
      // As Direct Line answers: 403 TokenExpired makes DirectLineJS report ExpiredToken instead of retrying for ever.
      if (check.reason === 'expired') reject(socket, 403, 'Forbidden', 'TokenExpired');
      else reject(socket, 401, 'Unauthorized');
      return;
    }
    if (check.claims.conv !== conversationId) {
      reject(socket, 403, 'Forbidden');
      return;
    }
    const watermark = parseWatermark(url.searchParams.get('watermark') ?? undefined);
    if (watermark === null) {
      reject(socket, 400, 'Bad Request');
      return;
    }
    if (!(await this.store.touch(conversationId))) {
      reject(socket, 404, 'Not Found');
      return;
    }
    if ((this.open.get(conversationId) ?? 0) >= MAX_STREAMS_PER_CONVERSATION) {
      reject(socket, 429, 'Too Many Requests');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.serve(ws, conversationId, watermark));
  }

  private async serve(ws: WebSocket, conversationId: string, watermark: number | undefined): Promise<void> {
    ws.on('error', (err) => this.logger.debug({ err: err.message }, 'Direct Line stream error'));
    this.open.set(conversationId, (this.open.get(conversationId) ?? 0) + 1);
    ws.on('close', () => {
      const left = (this.open.get(conversationId) ?? 1) - 1;
      if (left > 0) this.open.set(conversationId, left);
      else this.open.delete(conversationId);
    });
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    // DirectLineJS sends empty messages as its own keep-alive; nothing a client writes here means anything.
    ws.on('message', () => this.alive.set(ws, true));

    /** The last sequence number sent: pushes at or below it are already on this socket (backlog and push may overlap). */
    let sent = watermark ?? 0;
    let reading = true;
    const pending: ActivitySet[] = [];
    const send = (set: ActivitySet) => {
      const seq = Number(set.watermark);
      if (seq <= sent) return;
      sent = seq;
      if (!set.activities.length || ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(set));
    };
    const catchUp = async () => {
      reading = true;
      try {
        send(await this.store.after(conversationId, sent));
      } catch (err) {
        ws.close(1011, 'conversation unavailable');
        return;
      } finally {
        reading = false;
      }
      for (const set of pending.splice(0)) send(set);
    };
    let unsubscribe: () => void;
    try {
      // Subscribed before the backlog is read, so nothing appended in between is missed.
      unsubscribe = await this.store.subscribe(conversationId, {
        push: (set) => (reading ? pending.push(set) : send(set)),
        end: (reason) => ws.close(1001, reason.slice(0, 120)),
        resync: () => void catchUp(),
      });
    } catch {
      ws.close(1011, 'service unavailable');
      return;
    }
    if (ws.readyState !== WebSocket.OPEN) {
      unsubscribe();
      return;
    }
    ws.on('close', unsubscribe);
    await catchUp();
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.get(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
