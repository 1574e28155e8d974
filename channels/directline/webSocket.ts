import type { IncomingMessage, Server } from 'http';
import type { Server as HttpsServer } from 'https';
import type { Duplex } from 'stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import { parseWatermark, type ConversationStore } from './conversationStore';
import type { TokenService } from './tokens';

/** Streams per conversation (tabs of one user); more get 429. */
const MAX_STREAMS_PER_CONVERSATION = 8;
/** A stream that doesn't answer a ping within this interval is dropped. */
const HEARTBEAT_MS = 30_000;
/** A reader this far behind is dropped rather than buffered without bound; it reconnects with its watermark. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

/**
 * The WebSocket side of the Direct Line: GET {basePath}/conversations/:id/stream?t=<stream ticket>&watermark=N upgrades
 * to a socket that first receives what the conversation holds after the watermark, then every new activity set.
 * Other upgrade paths are left alone for other listeners.
 */
export class StreamServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly servers = new Set<Server | HttpsServer>();
  private readonly pattern: RegExp;

  constructor(
    private readonly store: ConversationStore,
    private readonly tokens: TokenService,
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
      reject(socket, 400, 'Bad Request');
      return true;
    }
    const check = this.tokens.verify(url.searchParams.get('t') ?? undefined, 'stream');
    if (!check.ok) {
      reject(socket, 401, 'Unauthorized');
      return true;
    }
    if (check.claims.conv !== conversationId) {
      reject(socket, 403, 'Forbidden');
      return true;
    }
    const watermark = parseWatermark(url.searchParams.get('watermark') ?? undefined);
    if (watermark === null) {
      reject(socket, 400, 'Bad Request');
      return true;
    }
    const conversation = this.store.touch(conversationId);
    if (!conversation) {
      reject(socket, 404, 'Not Found');
      return true;
    }
    if (conversation.subscribers.size >= MAX_STREAMS_PER_CONVERSATION) {
      reject(socket, 429, 'Too Many Requests');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, conversationId, watermark));
    return true;
  }

  private serve(ws: WebSocket, conversationId: string, watermark: number | undefined): void {
    let backlog;
    try {
      backlog = this.store.after(conversationId, watermark);
    } catch {
      ws.close(1011, 'conversation not found');
      return;
    }
    this.alive.set(ws, true);
    const send = (payload: string) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.terminate();
        return;
      }
      ws.send(payload);
    };
    // Backlog and subscription in the same tick: nothing appended in between can be missed or sent twice.
    if (backlog.activities.length) send(JSON.stringify(backlog));
    const unsubscribe = this.store.subscribe(conversationId, {
      push: (set) => send(JSON.stringify(set)),
      end: (reason) => ws.close(1001, reason.slice(0, 120)),
    });
    ws.on('pong', () => this.alive.set(ws, true));
    // DirectLineJS sends empty messages as its own keep-alive; nothing a client writes here means anything.
    ws.on('message', () => this.alive.set(ws, true));
    ws.on('close', unsubscribe);
    ws.on('error', (err) => {
      this.logger.debug({ err: err.message }, 'Direct Line stream error');
      unsubscribe();
    });
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
