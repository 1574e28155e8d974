import * as fs from 'fs';
import YAML from 'yaml';
import { ActivityTypes, EventFactory, TurnContext, type Activity, type Middleware } from 'botbuilder';
import type { Logger } from 'pino';
import type { HandoffRequest, HandoffStarter } from '../../dialogs/dialogContext';
import type { CaseLine, CaseStore, HandoffCase } from '../../storage/handoffCases';
import { maskCertNumbers } from '../../answers/certNumber';
import { fill, message } from '../../answers/messages';
import { fromRoot } from '../../config/paths';
import { normalize, stripPunctuation } from '../../understanding/normalize';
import type { Lang } from '../../understanding/language';
import { reply } from '../replies';
import type { AgentDesk } from './agentDesk';
import type { CustomerDelivery } from './delivery';

interface HandoffWords {
  customerEnds: string[];
  agentCloses: string[];
  desk: Record<string, string>;
}

const WORDS: HandoffWords = YAML.parse(fs.readFileSync(fromRoot('knowledge', 'messages', 'handoff.yaml'), 'utf8'));
const said = (text: string) => stripPunctuation(normalize(text));
const CUSTOMER_ENDS = new Set(WORDS.customerEnds.map(said));
const AGENT_CLOSES = new Set(WORDS.agentCloses.map(said));
const AGENT_REPLY = /^#(\d{1,9})(?:\s+|$)([\s\S]*)$/;
/** Longest customer message kept on a case or posted to the agents. */
const MAX_LINE = 1000;
/** Transcript lines shown in the case posted to the agents. */
const DESK_LINES = 6;

export type OpenedListener = (context: TurnContext, request: HandoffRequest, maskedText: string) => Promise<void>;

export interface HandoffOptions {
  cases: CaseStore;
  /** The agents' desks (DingTalk group, Teams channel); none: only the `handoff.initiate` event (a hosted contact center takes over). */
  desks?: AgentDesk[];
  timeoutSeconds: number;
  logger: Pick<Logger, 'info' | 'warn'>;
  titleOf: (entryId: string, lang: Lang) => string | undefined;
  /** The bot's answer for an entry and details, shown to the agents with the case. */
  answerFor: (entryId: string, lang: Lang, details: Record<string, unknown>) => string | undefined;
  now?: () => number;
}

/**
 * Hand-off to people (issue #13). start() opens a case: the customer is told, the Bot Framework `handoff.initiate`
 * event goes to their conversation, and the case is posted to the agents' desks (DingTalk group, Teams channel).
 * As middleware it then routes: the customer's messages go to the agents, not to the bot, while their case is open;
 * an agent's `#<n> text` in a desk reaches the customer of case n; `handoff.status` events from a contact center are honoured.
 * No agent within the timeout: the customer is told and may leave a message, which stays on the case.
 */
export class HandoffService implements Middleware, HandoffStarter {
  private delivery?: CustomerDelivery;
  private opened?: OpenedListener;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly options: HandoffOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The channels proactive messages go through (known once the adapters exist). */
  useDelivery(delivery: CustomerDelivery): void {
    this.delivery = delivery;
  }

  /** Told when a case opens, with the customer's masked message (the traffic log records it). */
  whenOpened(listener: OpenedListener): void {
    this.opened = listener;
  }

  async start(context: TurnContext, request: HandoffRequest): Promise<void> {
    const lang = request.lang;
    const meta = { intent: 'handoff.human', score: request.score ?? 1, handoff: true };
    const conversationKey = keyOf(context);
    const already = await this.options.cases.openFor(conversationKey);
    if (already) {
      await context.sendActivity(reply(message('handoffOpened', lang, { case: already.number }), meta, [message('endHandoffAction', lang)]));
      return;
    }
    const details = displayDetails(request.details ?? {});
    const channelData = context.activity.channelData as { sessionWebhook?: unknown; sessionWebhookExpiredTime?: unknown } | undefined;
    const dingTalkSession =
      context.activity.channelId === 'dingtalk' && typeof channelData?.sessionWebhook === 'string' && typeof channelData.sessionWebhookExpiredTime === 'number'
        ? { sessionWebhook: channelData.sessionWebhook, sessionWebhookExpiredTime: channelData.sessionWebhookExpiredTime }
        : undefined;
    const opened = await this.options.cases.open({
      conversationKey,
      reference: TurnContext.getConversationReference(context.activity),
      dingTalkSession,
      lang,
      entryId: request.entryId,
      details,
      openedAt: this.now(),
    });
    const at = this.now();
    const lines: CaseLine[] = (request.recent ?? []).map((r) => ({ from: r.from, text: masked(r.text), at }));
    const text = context.activity.text ?? '';
    if (text.trim() && !(request.recent ?? []).some((r) => r.from === 'customer' && r.text === text)) lines.push({ from: 'customer', text: masked(text), at });
    for (const line of lines) await this.options.cases.append(opened.number, line);
    this.options.logger.info({ case: opened.number, channel: context.activity.channelId }, 'hand-off case opened');

    const answer = request.entryId ? this.options.answerFor(request.entryId, lang, request.details ?? {}) : undefined;
    await context.sendActivity(reply(`${this.options.answerFor('handoff.human', lang, {}) ?? ''}\n\n${message('handoffOpened', lang, { case: opened.number })}`, meta, [message('endHandoffAction', lang)]));
    const transcript = { activities: lines.map((l) => transcriptActivity(context, l) as Activity) };
    const handoffContext = { caseNumber: opened.number, entryId: request.entryId ?? null, language: lang, details };
    // The event is a reply too: it carries the reply contract, as every activity the bot sends does.
    await context.sendActivity({ ...EventFactory.createHandoffInitiation(context, handoffContext, transcript), channelData: meta });
    await this.opened?.(context, request, masked(text));
    await this.toDesk(this.caseMarkdown(opened, lines, answer ? masked(answer) : undefined));
    this.armTimeout(opened.number);
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    if (activity.type === ActivityTypes.Event && activity.name === 'handoff.status') return this.onStatus(context);
    if (activity.type !== ActivityTypes.Message) return next();
    if (this.isDesk(context)) {
      if (!(await this.onAgentMessage(context))) await next();
      return;
    }
    const open = await this.options.cases.openFor(keyOf(context));
    if (!open) return next();
    await this.onCustomerMessage(context, open);
  }

  /** Stops the timeout timers of this process (shutdown, tests). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private get desks(): AgentDesk[] {
    return this.options.desks ?? [];
  }

  private isDesk(context: TurnContext): boolean {
    return this.desks.some((desk) => desk.hears(context.activity));
  }

  private async onCustomerMessage(context: TurnContext, open: HandoffCase): Promise<void> {
    const lang = open.lang;
    const meta = { intent: 'handoff.human', score: 1, handoff: true };
    const text = (context.activity.text ?? '').trim();
    if (CUSTOMER_ENDS.has(said(text))) {
      if (await this.options.cases.mark(open.number, 'closed', this.now())) {
        this.disarm(open.number);
        await context.sendActivity(reply(message('handoffClosedByCustomer', lang, { case: open.number }), meta));
        await this.toDesk(`**#${open.number}** ${WORDS.desk.customerEnded}`);
      }
      return;
    }
    const shown = text ? masked(text).slice(0, MAX_LINE) : '[附件 / attachment]';
    await this.options.cases.append(open.number, { from: 'customer', text: shown, at: this.now() });
    const waited = open.agentAt === undefined && this.now() - open.openedAt >= this.options.timeoutSeconds * 1000;
    if (waited && open.noticeAt === undefined) await this.timeOut(open.number, context);
    const leftMessage = open.agentAt === undefined && (open.noticeAt !== undefined || waited);
    const label = leftMessage ? WORDS.desk.leftMessage : WORDS.desk.customerSays;
    const posted = await this.toDesk(`**#${open.number} ${label}**：${shown}`);
    if (this.desks.length && !posted) await context.sendActivity(reply(message('handoffUndelivered', lang), meta, [message('endHandoffAction', lang)]));
    // No desk of ours: whether a contact center reads the case is unknown, so the customer hears that it was kept.
    else if (leftMessage || !this.desks.length) await context.sendActivity(reply(message('handoffMessageLeft', lang, { case: open.number }), meta, [message('endHandoffAction', lang)]));
  }

  /** `#<n> text` from the agents' desk; false when the message is not one (agent-mode commands go on to the bot). */
  private async onAgentMessage(context: TurnContext): Promise<boolean> {
    // Teams keeps the bot's @-mention in the text (DingTalk's adapter has removed it already).
    if (context.activity.text) TurnContext.removeRecipientMention(context.activity as Activity);
    const match = AGENT_REPLY.exec((context.activity.text ?? '').trim());
    if (!match) return false;
    const number = Number(match[1]);
    const text = match[2].trim();
    const answer = (words: string) => context.sendActivity(reply(`#${number} ${words}`, { intent: 'handoff.human', score: 1, handoff: true }));
    const found = await this.options.cases.get(number);
    if (!found || found.status !== 'open') {
      await answer(WORDS.desk.unknownCase);
      return true;
    }
    if (!text) {
      await answer(fill(WORDS.desk.howToReply, { case: number }));
      return true;
    }
    const meta = { intent: 'handoff.human', score: 1, handoff: true, from: 'agent' };
    if (AGENT_CLOSES.has(said(text))) {
      if (await this.options.cases.mark(number, 'closed', this.now())) {
        this.disarm(number);
        await this.deliver(found, reply(message('handoffClosedByAgent', found.lang, { case: number }), meta));
        await answer(WORDS.desk.closed);
      }
      return true;
    }
    if (await this.options.cases.mark(number, 'agent', this.now())) this.disarm(number);
    await this.options.cases.append(number, { from: 'agent', text: masked(text).slice(0, MAX_LINE), at: this.now() });
    const delivered = await this.deliver(found, reply(message('handoffFromAgent', found.lang, { text }), meta, [message('endHandoffAction', found.lang)]));
    await answer(delivered ? WORDS.desk.sent : WORDS.desk.undelivered);
    return true;
  }

  /** A contact center's `handoff.status`: accepted (an agent joined), completed or failed (back to the bot). */
  private async onStatus(context: TurnContext): Promise<void> {
    const value = context.activity.value as { state?: unknown } | undefined;
    const state = typeof value?.state === 'string' ? value.state : undefined;
    const open = state ? await this.options.cases.openFor(keyOf(context)) : undefined;
    if (!open) return;
    const meta = { intent: 'handoff.human', score: 1, handoff: true };
    if (state === 'accepted') {
      if (await this.options.cases.mark(open.number, 'agent', this.now())) {
        this.disarm(open.number);
        await context.sendActivity(reply(message('handoffAccepted', open.lang, { case: open.number }), meta));
      }
    } else if (state === 'completed' || state === 'failed') {
      if (await this.options.cases.mark(open.number, 'closed', this.now())) {
        this.disarm(open.number);
        const key = state === 'completed' ? 'handoffClosedByAgent' : 'handoffFailed';
        await context.sendActivity(reply(message(key, open.lang, { case: open.number }), meta));
        await this.toDesk(`**#${open.number}** ${WORDS.desk.closed} (handoff.status: ${state})`);
      }
    }
  }

  private armTimeout(number: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(number);
      this.timeOut(number).catch((err: Error) => this.options.logger.warn({ case: number, err: err.message }, 'hand-off timeout notice failed'));
    }, this.options.timeoutSeconds * 1000);
    timer.unref();
    this.timers.set(number, timer);
  }

  private disarm(number: number): void {
    clearTimeout(this.timers.get(number));
    this.timers.delete(number);
  }

  /**
   * No agent in time: tells the customer once (whichever process gets there first), in their turn when there is
   * one, else proactively. A process that stopped before its timer fired leaves this to the customer's next message.
   */
  private async timeOut(number: number, context?: TurnContext): Promise<void> {
    const found = await this.options.cases.get(number);
    if (!found || found.status !== 'open' || found.agentAt !== undefined) return;
    if (!(await this.options.cases.mark(number, 'notice', this.now()))) return;
    const minutes = Math.max(1, Math.round(this.options.timeoutSeconds / 60));
    const notice = reply(message('handoffTimeout', found.lang, { case: number, minutes }), { intent: 'handoff.human', score: 1, handoff: true }, [message('endHandoffAction', found.lang)]);
    if (context) await context.sendActivity(notice);
    else await this.deliver(found, notice);
    await this.toDesk(`**#${number}** ${fill(WORDS.desk.timedOut, { minutes })}`);
  }

  private async deliver(handoffCase: HandoffCase, activity: Partial<Activity>): Promise<boolean> {
    if (!this.delivery) return false;
    try {
      await this.delivery.send(handoffCase, [activity]);
      return true;
    } catch (err) {
      this.options.logger.warn({ case: handoffCase.number, channel: handoffCase.reference.channelId, err: (err as Error).message }, 'could not reach the customer of a hand-off case');
      return false;
    }
  }

  /** Posts to every agents' desk; false when none took it (each failure logged, without the text). */
  private async toDesk(markdown: string): Promise<boolean> {
    const posted = await Promise.all(
      this.desks.map((desk) =>
        desk.post(markdown).then(
          () => true,
          (err: Error) => {
            this.options.logger.warn({ desk: desk.name, err: err.message }, "could not post to the agents' desk");
            return false;
          },
        ),
      ),
    );
    return posted.includes(true);
  }

  private caseMarkdown(opened: HandoffCase, lines: CaseLine[], answer: string | undefined): string {
    const d = WORDS.desk;
    const title = opened.entryId ? this.options.titleOf(opened.entryId, 'zh') : undefined;
    const details = Object.entries(opened.details).map(([k, v]) => `${k}=${v}`).join('，') || '-';
    const speaker = { customer: d.customer, bot: d.bot, agent: d.agent };
    const recent = lines.slice(-DESK_LINES).map((l) => `> ${speaker[l.from]}：${l.text.replace(/\n+/g, ' ').slice(0, MAX_LINE)}`).join('\n\n') || '-';
    return [
      `### ${d.newCase} #${opened.number}`,
      `- ${d.language}：${opened.lang}`,
      `- ${d.entry}：${opened.entryId ? `\`${opened.entryId}\` ${title ?? ''}` : '-'}`,
      `- ${d.details}：${details}`,
      '',
      `**${d.messages}**`,
      '',
      recent,
      ...(answer ? ['', `**${d.botAnswer}**`, '', answer.slice(0, MAX_LINE * 2)] : []),
      '',
      fill(d.howToReply, { case: opened.number }),
    ].join('\n');
  }
}

/** The key a case is found by from any of the customer's turns. */
function keyOf(context: TurnContext): string {
  return `${context.activity.channelId}:${context.activity.conversation?.id ?? ''}`;
}

function masked(text: string): string {
  return maskCertNumbers(text);
}

/** Details as short display strings: a certificate number's analysis by its masked form, other analyses by their name only. */
function displayDetails(details: Record<string, unknown>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(details)) {
    if (typeof value === 'string') shown[name] = masked(value).slice(0, 100);
    else if (value && typeof value === 'object' && typeof (value as { masked?: unknown }).masked === 'string') shown[name] = (value as { masked: string }).masked;
    else if (value && typeof value === 'object') shown[name] = '✓';
  }
  return shown;
}

function transcriptActivity(context: TurnContext, line: CaseLine): Partial<Activity> {
  const customer = line.from === 'customer';
  return {
    type: ActivityTypes.Message,
    text: line.text,
    timestamp: new Date(line.at),
    from: customer ? context.activity.from : { ...(context.activity.recipient ?? { id: 'bot', name: 'bot' }), role: 'bot' },
    conversation: context.activity.conversation,
  };
}
