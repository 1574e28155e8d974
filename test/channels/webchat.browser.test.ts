import type * as http from 'http';
import * as fs from 'fs';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { Browser, Page } from 'playwright-core';
import { recordExternalRequests, collectPageErrors, echoBot, launchChromium, screenshot, startWidgetServer, WebChatPage, type WidgetServer } from '../helpers/browser';
import { listen } from '../helpers/servers';

jest.setTimeout(60_000);

let server: WidgetServer;
let browser: Browser;
/** What the bot heard from the page: the 'context' event's value and channelData.context of messages. */
const heard: { kind: string; value: unknown; locale?: string }[] = [];

async function logic(context: TurnContext): Promise<void> {
  const a = context.activity;
  if (a.type === ActivityTypes.Event && a.name === 'context') heard.push({ kind: 'event', value: a.value });
  if (a.type === ActivityTypes.Message) heard.push({ kind: `message:${a.text}`, value: (a.channelData as { context?: unknown } | undefined)?.context, locale: a.locale });
  await echoBot(context);
}

let embedder: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  // A host site on another origin that embeds the widget with data- attributes (allowed by WEBCHAT_ALLOWED_ORIGINS).
  let widgetUrl = '';
  embedder = await listen((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Host</title></head><body><h1>Domain console</h1>
      <script src="${widgetUrl}" data-product="domain" data-site="intl" data-locale="zh-CN"></script></body></html>`);
  });
  server = await startWidgetServer({ runBot: logic, webChat: { allowedOrigins: [embedder.url] } });
  widgetUrl = `${server.url}/webchat/widget.js`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await embedder?.close();
});

async function openPage(url: string, locale = 'en-US'): Promise<{ page: Page; chat: WebChatPage; errors: string[]; blocked: string[] }> {
  const context = await browser.newContext({ locale, viewport: { width: 480, height: 720 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  const blocked = recordExternalRequests(page, [server.url, new URL(url).origin]);
  await page.goto(url);
  return { page, chat: new WebChatPage(page), errors, blocked };
}

test('the page at / chats with the bot: welcome, a typed message, a suggested action; host context reaches the bot', async () => {
  heard.length = 0;
  const { page, chat, errors, blocked } = await openPage(`${server.url}/?product=icp&site=china&locale=en-US`);
  try {
    await chat.waitUntilConnected();
    await chat.waitForBotMessage('welcome (en-US)');

    await chat.send('hello');
    await chat.waitForBotMessage('echo: hello');

    await chat.send('choices');
    await chat.waitForBotMessage('Pick a colour');
    await chat.suggestedAction('Red').click();
    await chat.waitForBotMessage('echo: red');

    expect(await chat.userMessages()).toEqual(expect.arrayContaining(['hello', 'choices']));
    const context = { product: 'icp', site: 'china', locale: 'en-US' };
    expect(heard).toEqual(
      expect.arrayContaining([
        { kind: 'event', value: context },
        { kind: 'message:hello', value: context, locale: 'en-US' },
        { kind: 'message:red', value: context, locale: 'en-US' },
      ]),
    );
    expect(heard[0]).toEqual({ kind: 'event', value: context });

    expect(await chat.connectivityProblem()).toBeUndefined();
    expect(await chat.isOnline()).toBe(true);
    const file = await screenshot(page, 'webchat.png');
    expect(fs.statSync(file).size).toBeGreaterThan(5000);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
  }
});

test("without ?locale= the widget follows the browser's language: zh-CN", async () => {
  heard.length = 0;
  const { page, chat, errors } = await openPage(`${server.url}/`, 'zh-CN');
  try {
    await chat.waitForBotMessage('welcome (zh-CN)');
    await chat.send('你好');
    await chat.waitForBotMessage('echo: 你好');
    expect(heard).toContainEqual({ kind: 'message:你好', value: { locale: 'zh-CN' }, locale: 'zh-CN' });
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
  }
});

test('another site embeds widget.js: data- attributes set product, site and locale; the panel chats cross-origin', async () => {
  heard.length = 0;
  const { page, chat, errors, blocked } = await openPage(embedder.url, 'en-US');
  try {
    await page.getByRole('button', { name: '打开在线客服' }).click();
    await page.locator('#support-webchat').waitFor();
    await chat.waitForBotMessage('welcome (zh-CN)');
    await chat.send('from the console');
    await chat.waitForBotMessage('echo: from the console');
    expect(heard).toContainEqual({ kind: 'message:from the console', value: { product: 'domain', site: 'intl', locale: 'zh-CN' }, locale: 'zh-CN' });
    expect(await chat.connectivityProblem()).toBeUndefined();
    expect(await chat.isOnline()).toBe(true);
    await screenshot(page, 'webchat-embedded.png');
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
  }
});

test('a site that is not allowed gets no token, and the widget says so instead of a broken chat', async () => {
  const stranger = await listen((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><body><script src="${server.url}/webchat/widget.js" data-locale="en-US"></script></body></html>`);
  });
  const { page } = await openPage(stranger.url, 'en-US');
  try {
    await page.getByRole('button', { name: 'Open support chat' }).click();
    await page.locator('.support-webchat-error').waitFor();
    expect(await page.locator('.support-webchat-error').innerText()).toMatch(/unavailable/);
  } finally {
    await page.context().close();
    await stranger.close();
  }
});
