import * as fs from 'fs';
import * as path from 'path';
import * as http from 'http';
import type { AddressInfo } from 'net';
import express, { type Express } from 'express';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { ActionTypes, ActivityTypes, type TurnContext } from 'botbuilder';
import { mountDirectLine, type DirectLineChannel, type DirectLineOptions } from '../../channels/directline/mountDirectLine';
import { mountWebChat, type WebChatOptions } from '../../channels/webchat/mountWebChat';

/** Debian's chromium: tests never download a browser. CI installs it with `apt-get install -y chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const OUTPUT_DIR = path.resolve(__dirname, '..', 'output');

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: browser tests need Debian's chromium (apt-get update && apt-get install -y chromium), or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** What a page logged as errors (console errors, uncaught exceptions, CSP violations), for asserting a clean page. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

/**
 * Records every request that leaves the given origins (a CDN, a font service), to assert the page works offline.
 * It only listens: intercepting with page.route would change how Chromium applies CORS and hide cross-origin bugs.
 */
export function recordExternalRequests(page: Page, allowedOrigins: string[]): string[] {
  const external: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (/^(data|blob):/.test(url) || allowedOrigins.some((origin) => url.startsWith(origin))) return;
    external.push(url);
  });
  return external;
}

/** Saves a screenshot under test/output/ (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, name);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Web Chat in a page: type into its send box, read the bot's messages, click a suggested action. */
export class WebChatPage {
  constructor(readonly page: Page) {}

  async waitUntilConnected(timeoutMs = 15_000): Promise<void> {
    await this.page.locator('[data-id="webchat-sendbox-input"], .webchat__send-box-text-box__input').first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  async send(text: string): Promise<void> {
    const input = this.page.locator('[data-id="webchat-sendbox-input"], .webchat__send-box-text-box__input').first();
    await input.fill(text);
    await input.press('Enter');
  }

  /** Texts of the bot's messages shown so far. */
  botMessages(): Promise<string[]> {
    return this.page.locator('.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content').allInnerTexts();
  }

  userMessages(): Promise<string[]> {
    return this.page.locator('.webchat__bubble--from-user .webchat__bubble__content').allInnerTexts();
  }

  /** Waits for a bot message containing the text (string) or matching it (RegExp). */
  async waitForBotMessage(expected: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < until) {
      seen = (await this.botMessages()).map((t) => t.trim());
      const hit = seen.find((t) => (typeof expected === 'string' ? t.includes(expected) : expected.test(t)));
      if (hit !== undefined) return hit;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`no bot message ${String(expected)} within ${timeoutMs} ms; bot said: ${JSON.stringify(seen)}`);
  }

  /**
   * Web Chat's connectivity notice ("Connecting…", "Unable to connect…") if it is still shown after waitMs, else undefined.
   * Web Chat keeps "Connecting…" on screen a moment after it is online, so a notice only counts if it stays.
   */
  async connectivityProblem(waitMs = 5000): Promise<string | undefined> {
    const until = Date.now() + waitMs;
    for (;;) {
      const status = (await this.page.locator('.webchat__connectivityStatus').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
      if (!status.length) return undefined;
      if (Date.now() > until) return status.join(' / ');
      await this.page.waitForTimeout(100);
    }
  }

  /** Whether the store says the Direct Line connection is up (readyState 2 = online). */
  isOnline(): Promise<boolean> {
    return this.page.evaluate(() => {
      const widget = (window as unknown as { supportWidget?: { directLine?: { connectionStatus$?: { getValue(): number } } } }).supportWidget;
      return widget?.directLine?.connectionStatus$?.getValue() === 2;
    });
  }

  suggestedAction(title: string) {
    return this.page.locator('.webchat__suggested-action, [role="button"], button').filter({ hasText: title }).first();
  }
}

/** A stand-in bot for channel tests: welcomes, echoes with the reply contract, offers suggested actions for "choices". */
export async function echoBot(context: TurnContext): Promise<void> {
  const activity = context.activity;
  if (activity.type === ActivityTypes.ConversationUpdate) {
    if ((activity.membersAdded ?? []).some((m) => m.id !== activity.recipient?.id)) {
      await context.sendActivity({ type: ActivityTypes.Message, text: `welcome (${activity.locale ?? 'no locale'})`, channelData: { intent: 'smalltalk.greeting', score: 1 } });
    }
    return;
  }
  if (activity.type !== ActivityTypes.Message) return;
  const text = activity.text ?? '';
  if (text === 'choices') {
    await context.sendActivity({
      type: ActivityTypes.Message,
      text: 'Pick a colour',
      channelData: { intent: 'echo', score: 1 },
      suggestedActions: { to: [], actions: [{ type: ActionTypes.ImBack, title: 'Red', value: 'red' }, { type: ActionTypes.ImBack, title: 'Blue', value: 'blue' }] },
    });
    return;
  }
  await context.sendActivity({ type: ActivityTypes.Message, text: `echo: ${text}`, channelData: { intent: 'echo', score: 1 } });
}

export interface WidgetServer {
  url: string;
  app: Express;
  server: http.Server;
  directLine: DirectLineChannel;
  close(): Promise<void>;
}

/**
 * The web widget (page, token route, self-hosted Direct Line with its WebSocket) on 127.0.0.1 and a random port,
 * around any bot logic: the echo bot here, the real bot (bot.run with createApp's middleware) in the lead's tests.
 */
export async function startWidgetServer(options: Partial<DirectLineOptions> & { runBot: DirectLineOptions['runBot']; webChat?: Partial<WebChatOptions> }): Promise<WidgetServer> {
  const app = express();
  const directLine = mountDirectLine(app, { middleware: [], env: {}, ...options });
  mountWebChat(app, { directLine, env: {}, ...options.webChat });
  const server = http.createServer(app);
  directLine.attachWebSocket(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    server,
    directLine,
    close: async () => {
      await directLine.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
