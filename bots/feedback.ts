import { randomUUID } from 'crypto';
import * as fs from 'fs';
import YAML from 'yaml';
import { ActivityTypes, type Activity, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Understanding } from '../understanding';
import type { Lang } from '../understanding/language';
import { normalize, stripPunctuation } from '../understanding/normalize';
import { maskCertNumbers } from '../answers/certNumber';
import { message } from '../answers/messages';
import { fromRoot } from '../config/paths';
import type { HandoffRequest, HandoffStarter } from '../dialogs/dialogContext';
import type { ConversationProfile } from '../dialogs/conversationProfile';
import { CONFIDENT } from '../dialogs/mainDialog';
import { turnUnderstanding } from '../dialogs/turn';
import type { TrafficEvent, TrafficKind, TrafficLog } from '../storage/trafficLog';
import { reply, type ReplyMeta } from './replies';

const WORDS: { helpful: string[]; unhelpful: string[] } = YAML.parse(fs.readFileSync(fromRoot('knowledge', 'messages', 'handoff.yaml'), 'utf8'));
const said = (text: string) => stripPunctuation(normalize(text));
const HELPFUL = new Set(WORDS.helpful.map(said));
const UNHELPFUL = new Set(WORDS.unhelpful.map(said));

const ALTERNATIVES = 3;
/** Longest message text kept in the traffic log. */
const MAX_TEXT = 300;

/** The last answer's feedback options, until the next message; an unhelpful mark finds the question by `ref` in the log. */
export interface PendingFeedback {
  entryId: string;
  score: number;
  lang: Lang;
  /** In the order shown (DingTalk numbers them): entry ids, 'helpful', 'unhelpful', 'handoff'. */
  options: string[];
  /** Next candidates for the question, best first. */
  alternatives: string[];
  /** The recorded answer this feedback is about (TrafficEvent.ref). */
  ref: string;
}

export type FeedbackAccessor = StatePropertyAccessor<PendingFeedback | undefined>;

export interface FeedbackOptions {
  understanding: Understanding;
  traffic: TrafficLog;
  pending: FeedbackAccessor;
  handoff: HandoffStarter;
  logger?: Pick<Logger, 'warn'>;
  now?: () => number;
}

/**
 * Learning from traffic (issue #13): every reply is recorded in the traffic log (answers by entry; the masked text of
 * what the bot could not answer: out of scope, clarification, low confidence), each answer offers "有帮助 / 没帮助",
 * and "没帮助" offers the next candidates and a person.
 */
export class Feedback {
  private readonly now: () => number;

  constructor(private readonly options: FeedbackOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * A reply to the last answer's feedback options; true when handled (the dialog does not see it). Any other message
   * drops the options. A number picking an offered entry is left to the dialog, which offered the same list.
   */
  async handle(context: TurnContext, profile: ConversationProfile, lang: Lang): Promise<boolean> {
    const pending = await this.options.pending.get(context);
    if (!pending) return false;
    await this.options.pending.delete(context);
    const text = said(context.activity.text ?? '');
    const picked = /^[1-9]$/.test(text) ? pending.options[Number(text) - 1] : undefined;
    const choice = picked ?? (HELPFUL.has(text) ? 'helpful' : UNHELPFUL.has(text) ? 'unhelpful' : undefined);
    const base = { lang: pending.lang, entryId: pending.entryId, score: pending.score, product: productOf(profile, this.options.understanding, pending.entryId), channel: context.activity.channelId };
    if (choice === 'helpful') {
      await this.record({ ...base, kind: 'helpful', at: this.now() });
      await context.sendActivity(reply(message('feedbackThanks', lang), { intent: pending.entryId, score: pending.score }));
      return true;
    }
    if (choice === 'unhelpful') {
      await this.record({ ...base, kind: 'unhelpful', at: this.now(), ref: pending.ref, candidates: pending.alternatives.map((id) => ({ id, score: 0 })) });
      const kb = this.options.understanding.kb;
      const titles = pending.alternatives.map((id) => kb.byId.get(id)!.title[lang]);
      profile.suggestions = pending.alternatives;
      const text = message(titles.length ? 'feedbackSorry' : 'feedbackSorryAlone', lang);
      const meta: ReplyMeta = { intent: 'clarify', score: pending.score, candidates: pending.alternatives };
      await context.sendActivity(reply(text, meta, [...titles, message('handoffAction', lang)]));
      await this.options.pending.set(context, { ...pending, options: [...pending.alternatives, 'handoff'] });
      return true;
    }
    if (choice === 'handoff') {
      const request: HandoffRequest = { lang, entryId: pending.entryId, score: pending.score, details: profile.details };
      await this.options.handoff.start(context, request);
      return true;
    }
    return false;
  }

  /** Watches this turn's replies: records them, and adds the feedback options to an answer. */
  watch(context: TurnContext, profile: ConversationProfile, options: { offerFeedback: boolean }): void {
    const incoming = context.activity.text ?? '';
    context.onSendActivities(async (ctx, activities, send) => {
      for (const activity of activities) {
        if (activity.type === ActivityTypes.Message) await this.observe(ctx, activity, incoming, profile, options.offerFeedback);
      }
      return send();
    });
  }

  /** A hand-off opened (HandoffService.onOpened). */
  async recordHandoff(context: TurnContext, request: HandoffRequest, maskedText: string): Promise<void> {
    await this.record({
      at: this.now(),
      kind: 'handoff',
      lang: request.lang,
      entryId: request.entryId,
      score: request.score,
      text: maskedText.slice(0, MAX_TEXT) || undefined,
      product: productOf({ details: request.details ?? {}, unknown: [] }, this.options.understanding, request.entryId),
      channel: context.activity.channelId,
    });
  }

  private async observe(context: TurnContext, activity: Partial<Activity>, incoming: string, profile: ConversationProfile, offerFeedback: boolean): Promise<void> {
    const meta = (activity.channelData ?? {}) as Partial<ReplyMeta>;
    if (meta.handoff || meta.slot || typeof meta.intent !== 'string') return;
    const entry = this.options.understanding.kb.byId.get(meta.intent);
    const answerable = entry?.kind === 'failure' || entry?.kind === 'question';
    const score = typeof meta.score === 'number' ? meta.score : 0;
    let kind: TrafficKind | undefined;
    if (meta.intent === 'clarify') kind = 'clarify';
    else if (meta.intent === 'none' && incoming.trim()) kind = 'outOfScope';
    else if (answerable) kind = score < CONFIDENT ? 'lowConfidence' : 'answer';
    if (!kind) return;
    const lang: Lang = context.activity.locale?.toLowerCase().startsWith('en') ? 'en' : profile.lang ?? 'zh';
    const product = productOf(profile, this.options.understanding, entry?.id);
    // The turn's own reading, classified once for the dialog and the log alike; a message the dialog did not read is classified here.
    const classification = incoming.trim()
      ? turnUnderstanding(context)?.reading.classification ?? this.options.understanding.classifier.classify(incoming, { product: product as never })
      : undefined;
    const candidates = (classification?.candidates ?? []).slice(0, ALTERNATIVES + 1).map((c) => ({ id: c.id, score: Math.round(c.score * 1000) / 1000 }));
    const maskedText = maskCertNumbers(incoming).slice(0, MAX_TEXT) || undefined;
    const ref = randomUUID();
    await this.record({
      at: this.now(),
      kind,
      lang,
      entryId: kind === 'clarify' || kind === 'outOfScope' ? undefined : entry?.id,
      score,
      text: maskedText,
      ref,
      candidates,
      product,
      channel: context.activity.channelId,
    });
    if (!answerable || !offerFeedback) return;
    const kb = this.options.understanding.kb;
    const alternatives = (classification?.candidates ?? [])
      .map((c) => c.id)
      .filter((id) => id !== entry!.id && ['failure', 'question'].includes(kb.byId.get(id)?.kind ?? ''))
      .slice(0, ALTERNATIVES);
    const shown = activity.suggestedActions?.actions ?? [];
    const offered = shown.map((a) => kb.entries.find((e) => e.title[lang] === a.value || e.title[lang] === a.title)?.id ?? String(a.value));
    activity.suggestedActions = { to: [], actions: [...shown, ...[message('feedbackHelpful', lang), message('feedbackUnhelpful', lang)].map((t) => ({ type: 'imBack', title: t, value: t }))] };
    await this.options.pending.set(context, { entryId: entry!.id, score, lang, options: [...offered, 'helpful', 'unhelpful'], alternatives, ref });
  }

  private async record(event: TrafficEvent): Promise<void> {
    try {
      await this.options.traffic.record(event);
    } catch (err) {
      // The report misses one event; the customer still gets the reply.
      this.options.logger?.warn({ err: (err as Error).message, kind: event.kind }, 'could not record traffic');
    }
  }
}

function productOf(profile: ConversationProfile, understanding: Understanding, entryId: string | undefined): string | undefined {
  const fromConversation = profile.details.product;
  if (typeof fromConversation === 'string') return fromConversation;
  const product = entryId ? understanding.kb.byId.get(entryId)?.product : undefined;
  return product && product !== 'general' ? product : undefined;
}
