import { ConnectionStatus, DirectLine, type Activity, type DirectLineOptions } from 'botframework-directlinejs';
import { Observable } from 'rxjs/Observable';
import type { Subscriber } from 'rxjs/Subscriber';
import WebSocket from 'ws';

export { ConnectionStatus };

interface AjaxRequest {
  method?: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeout?: number;
  responseType?: string;
}

/**
 * DirectLineJS's ajax on fetch: its own (rxjs) ajax needs XMLHttpRequest, which Node lacks. Same contract: success
 * gives { response, status, xhr }, a 4xx/5xx answer errors with { status, xhr }, so DirectLineJS's status logic runs as in a browser.
 */
function fetchAjax(request: AjaxRequest): Observable<unknown> {
  return Observable.create((subscriber: Subscriber<unknown>) => {
    const controller = new AbortController();
    const timer = request.timeout ? setTimeout(() => controller.abort(), request.timeout) : undefined;
    const body = request.body === undefined || request.body instanceof FormData || typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    fetch(request.url, { method: request.method ?? 'GET', headers: request.headers, body: body as BodyInit | undefined, signal: controller.signal })
      .then(async (res) => {
        const xhr = { getResponseHeader: (name: string) => res.headers.get(name) };
        const response = request.responseType === 'arraybuffer' ? await res.arrayBuffer() : await res.text().then((t) => (t ? JSON.parse(t) : null));
        if (res.status >= 200 && res.status < 300) {
          subscriber.next({ response, status: res.status, xhr });
          subscriber.complete();
        } else subscriber.error({ status: res.status, response, xhr });
      })
      .catch((err: Error) => subscriber.error({ status: 0, message: err.message, xhr: { getResponseHeader: () => null } }))
      .finally(() => clearTimeout(timer));
    return () => controller.abort();
  });
}

function textsOf(activities: Activity[]): string[] {
  return activities.filter((a) => a.type === 'message').map((a) => `${a.from.role ?? (a.from.id.startsWith('dl_') ? 'user' : 'bot')}:${a.text}`);
}

/** Microsoft's Direct Line client in Node, as a page would use it, plus what a test needs to watch it. */
export class DirectLineClient {
  readonly directLine: DirectLine;
  readonly activities: Activity[] = [];
  readonly statuses: ConnectionStatus[] = [];

  constructor(options: DirectLineOptions) {
    // DirectLineJS uses a WebSocket only when the global exists (browsers); Node 20 has none.
    if (options.webSocket !== false) (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    this.directLine = new DirectLine({ pollingInterval: 200, timeout: 5000, ...options, ajax: fetchAjax, WebSocket } as DirectLineOptions);
    this.directLine.connectionStatus$.subscribe((s) => this.statuses.push(s));
    this.directLine.activity$.subscribe({ next: (a) => this.activities.push(a), error: () => undefined });
  }

  get status(): ConnectionStatus {
    return this.directLine.connectionStatus$.getValue();
  }

  /** Texts of the messages received so far, as "role:text", in the order they arrived. */
  texts(): string[] {
    return textsOf(this.activities);
  }

  /**
   * The same in the conversation's order (the ids' zero-padded sequence). DirectLineJS emits each activity set's
   * activities on its scheduler and merges sets, so a live set can arrive between a backlog's activities; Web Chat
   * orders the transcript itself, a test compares this.
   */
  textsInOrder(): string[] {
    return textsOf([...this.activities].sort((x, y) => (x.id ?? '').localeCompare(y.id ?? '')));
  }

  post(activity: Partial<Activity>): Promise<string> {
    return new Promise((resolve, reject) => {
      this.directLine.postActivity({ from: { id: 'ignored' }, ...activity } as Activity).subscribe({ next: resolve, error: reject });
    });
  }

  async until(test: () => boolean, what: string, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error(`${what} did not happen within ${ms} ms; received ${JSON.stringify(this.texts())}, statuses ${JSON.stringify(this.statuses)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  untilText(text: string, ms?: number): Promise<void> {
    return this.until(() => this.texts().some((t) => t.endsWith(`:${text}`)), `message "${text}"`, ms);
  }

  untilStatus(status: ConnectionStatus, ms?: number): Promise<void> {
    return this.until(() => this.status === status, `status ${ConnectionStatus[status]}`, ms);
  }

  /** The watermark DirectLineJS would resume from (kept by the widget in sessionStorage). */
  get watermark(): string {
    return (this.directLine as unknown as { watermark: string }).watermark;
  }

  end(): void {
    try {
      this.directLine.end();
    } catch {
      // already ended
    }
  }
}
