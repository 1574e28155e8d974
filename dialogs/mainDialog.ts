import { ActionTypes, type Attachment, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogContext,
  type DialogState,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { Entry } from '../kb/types';
import type { Classification } from '../understanding/classifier';
import { extractDetails, mentionedProduct, recognizeSlotAnswer, saysAny, saysFailure } from '../understanding/details';
import { slotDeclaration } from '../understanding/slots';
import { normalize } from '../understanding/normalize';
import { inspectImage } from '../answers/imageCheck';
import { composeAnswer } from '../answers/composeAnswer';
import { message } from '../answers/messages';
import { reply, type ReplyMeta } from '../bots/replies';
import { AskDetailsDialog, ASK_DETAILS_DIALOG, nextDetailToAsk } from './askDetailsDialog';
import { ClarifyProductDialog, CLARIFY_PRODUCT_DIALOG } from './clarifyProductDialog';
import { commandOf, type Command } from './commands';
import { rememberDetails } from './rememberDetails';
import { getProfile, type ConversationProfile } from './conversationProfile';
import type { DialogDependencies } from './dialogContext';

export const MAIN_DIALOG = 'mainDialog';
const FLOW = 'mainFlow';

/** At or above this confidence an answer stands alone; below it, "did you mean" suggestions follow it. */
const CONFIDENT = 0.6;
/** A message at a question switches to another entry only when it is recognized at least this surely. */
const SWITCH_CONFIDENCE = 0.5;
/** A message giving a detail of the last answer, with no failure words, is a new failure only when recognized this surely. */
const DETAIL_ONLY_SWITCH = 0.8;
const MAX_SUGGESTIONS = 3;
/** A short message naming a product and a failure, recognized below this confidence, says too little to answer. */
const VAGUE_SCORE = 0.45;
const VAGUE_LENGTH = 15;

interface FlowOptions {
  /** Text to route instead of the activity's (a message that interrupted a question). */
  text?: string;
}

/**
 * Recognizes what the user needs, asks for the details the answer depends on, and answers for their case.
 * At any question the user can cancel, start over, ask for help or a human, thank and leave, or paste another prompt.
 */
export class MainDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDependencies) {
    super(MAIN_DIALOG);
    this.addDialog(new ClarifyProductDialog(deps))
      .addDialog(new AskDetailsDialog(deps))
      .addDialog(new WaterfallDialog(FLOW, [(s) => this.route(s), (s) => this.collect(s), (s) => this.answer(s)]));
    this.initialDialogId = FLOW;
  }

  async run(context: TurnContext, dialogState: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogs = new DialogSet(dialogState);
    dialogs.add(this);
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }

  private entry(id: string): Entry {
    return this.deps.understanding.kb.byId.get(id)!;
  }

  /** Messages that arrive while a question is open: steering commands and new prompts come before the question. */
  protected async onContinueDialog(inner: DialogContext): Promise<DialogTurnResult> {
    const context = inner.context;
    const profile = await getProfile(this.deps.profile, context);
    const lang = profile.lang ?? 'zh';
    const text = context.activity.text ?? '';
    const current = profile.entryId ? this.entry(profile.entryId) : undefined;
    const meta: ReplyMeta = { intent: current?.id ?? 'none', score: profile.entryScore ?? 0 };

    const command = commandOf(text);
    switch (command) {
      case 'cancel':
      case 'restart':
        await inner.cancelAllDialogs();
        await this.steer(context, command, profile);
        return { status: DialogTurnStatus.complete };
      case 'help':
      case 'explain':
        await context.sendActivity(reply(message('help', lang, { title: current?.title[lang] ?? '' }), meta));
        await inner.repromptDialog();
        return { status: DialogTurnStatus.waiting };
    }

    const images = imagesOf(context.activity.attachments);
    if (!text.trim() && images.length && current?.slots?.some((s) => s.name === 'image')) {
      await this.takeImage(inner.context, images[0], profile);
      await inner.repromptDialog();
      return { status: DialogTurnStatus.waiting };
    }

    if (text.trim() && !this.answersOpenQuestion(inner, text, profile)) {
      const result = this.deps.understanding.classifier.classify(text, { product: profile.details.product as Entry['product'] });
      const target = result.intent === 'clarify' ? result.candidates[0] : result.candidates.find((c) => c.id === result.intent);
      const switches =
        result.intent !== current?.id &&
        result.intent !== 'none' &&
        result.intent !== 'smalltalk.greeting' &&
        (target?.score ?? 0) >= SWITCH_CONFIDENCE;
      // "不对，是澳门" at the holder-type question corrects an earlier detail: start over from the corrected details.
      const said = extractDetails(text, { lang, today: this.deps.today() });
      const corrects = current?.slots?.some((s) => s.name in said);
      if (switches || corrects) {
        await inner.cancelAllDialogs();
        return inner.beginDialog(FLOW, { text } satisfies FlowOptions);
      }
    }
    return super.onContinueDialog(inner);
  }

  /** Whether the message reads as an answer to the question now open (so it is not mistaken for a new prompt). */
  private answersOpenQuestion(inner: DialogContext, text: string, profile: ConversationProfile): boolean {
    const slot = openQuestionSlot(inner);
    if (!slot) return false;
    return recognizeSlotAnswer(slot, text, { lang: profile.lang ?? 'zh', today: this.deps.today() }) !== undefined;
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const profile = await getProfile(this.deps.profile, context);
    const lang = profile.lang ?? 'zh';
    const text = ((step.options as FlowOptions | undefined)?.text ?? context.activity.text ?? '').trim();
    const images = imagesOf(context.activity.attachments);

    if (!text) {
      const last = profile.entryId ? this.entry(profile.entryId) : undefined;
      if (images.length && last?.slots?.some((s) => s.name === 'image')) {
        await this.takeImage(context, images[0], profile);
        return step.next(last.id);
      }
      await context.sendActivity(reply(message(images.length ? 'attachmentOnly' : 'emptyMessage', lang), { intent: 'none', score: 0 }));
      return step.endDialog();
    }

    // "为什么？", "what does that mean?" after an answer: the answer again; other commands steer.
    const command = commandOf(text);
    if (command === 'explain' && profile.entryId) return this.choose(step, profile, profile.entryId, profile.entryScore ?? 1);
    if (command) {
      await this.steer(context, command, profile);
      return step.endDialog();
    }

    const picked = /^\s*([1-9])\s*$/.exec(text);
    const suggestion = picked ? profile.suggestions?.[Number(picked[1]) - 1] : undefined;
    profile.suggestions = undefined;
    if (suggestion) return this.choose(step, profile, suggestion, 1);

    const given = rememberDetails(text, profile, this.deps.today());
    const result = this.deps.understanding.classifier.classify(text, { product: profile.details.product as Entry['product'] });
    // "那北京呢", "what if we register as a company?": no new failure, a detail the last answer depends on changed.
    const last = profile.entryId ? this.entry(profile.entryId) : undefined;
    // A detail alone ("我是和尚") takes a sure recognition to count as a new failure; with failure words, the usual.
    const newFailure = result.intent !== 'none' && result.score >= (saysFailure(text) ? SWITCH_CONFIDENCE : DETAIL_ONLY_SWITCH);
    const changesLastAnswer = last?.slots?.some((s) => given.includes(s.name)) && !newFailure;
    if (last && changesLastAnswer) return this.choose(step, profile, last.id, profile.entryScore ?? result.score);
    (step.values as Record<string, unknown>).classification = result;
    // "域名实名认证失败了": in scope, but saying nothing of which failure.
    const product = saysFailure(text) ? mentionedProduct(text) : undefined;
    const saysTooLittle = result.intent === 'none' || (result.score < VAGUE_SCORE && normalize(text).length <= VAGUE_LENGTH);
    if (product && saysTooLittle) return this.askWhichFailure(step, profile, result, product);
    if (images.length && this.deps.understanding.kb.byId.get(result.intent)?.slots?.some((s) => s.name === 'image')) {
      await this.takeImage(context, images[0], profile);
    }

    switch (result.intent) {
      case 'clarify': {
        const candidates = result.candidates.slice(0, 2).map((c) => c.id);
        return step.beginDialog(CLARIFY_PRODUCT_DIALOG, { candidates, score: result.score });
      }
      case 'none':
        await context.sendActivity(reply(this.entry('none').answer[lang].trim(), { intent: 'none', score: result.score }, [message('handoffAction', lang)]));
        return step.endDialog();
      case 'smalltalk.greeting':
      case 'smalltalk.thanks':
        await context.sendActivity(reply(this.entry(result.intent).answer[lang].trim(), { intent: result.intent, score: result.score }));
        return step.endDialog();
      case 'handoff.human':
        // Hand-off (issue #13, bots/handoff): opens a case, tells the customer, sends handoff.initiate, posts to the agents.
        await this.deps.handoff.start(context, { lang, entryId: profile.entryId, score: result.score, details: profile.details, recent: [{ from: 'customer', text }] });
        return step.endDialog();
    }
    return this.choose(step, profile, result.intent, result.score);
  }

  /** Cancel, start over (forgetting every detail), or help when no question is open. */
  private async steer(context: TurnContext, command: Command, profile: ConversationProfile): Promise<void> {
    const lang = profile.lang ?? 'zh';
    switch (command) {
      case 'cancel':
        await context.sendActivity(reply(message('cancelled', lang), { intent: profile.entryId ?? 'none', score: profile.entryScore ?? 0 }));
        return;
      case 'restart':
        Object.assign(profile, { details: {}, unknown: [], entryId: undefined, entryScore: undefined, suggestions: undefined });
        await context.sendActivity(reply(`${message('restarted', lang)}\n\n${message('welcome', lang)}`, { intent: 'smalltalk.greeting', score: 1 }));
        return;
      default:
        await context.sendActivity(reply(message('helpIdle', lang), { intent: 'smalltalk.greeting', score: 1 }));
    }
  }

  /** Asks for the exact failure prompt, offering the product's likeliest entries (a number picks one). */
  private async askWhichFailure(step: WaterfallStepContext, profile: ConversationProfile, result: Classification, product: string): Promise<DialogTurnResult> {
    const lang = profile.lang ?? 'zh';
    const likely = result.candidates.filter((c) => c.product === product && isAnswerable(this.entry(c.id))).slice(0, MAX_SUGGESTIONS);
    profile.suggestions = likely.map((c) => c.id);
    const actions = likely.map((c) => this.entry(c.id).title[lang]);
    await step.context.sendActivity(reply(message('whichFailure', lang), { intent: 'none', score: result.intent === 'none' ? result.score : 1 - result.score }, actions));
    return step.endDialog();
  }

  private async choose(step: WaterfallStepContext, profile: ConversationProfile, entryId: string, score: number): Promise<DialogTurnResult> {
    if (profile.entryId !== entryId) profile.unknown = [];
    profile.entryId = entryId;
    profile.entryScore = score;
    return step.next(entryId);
  }

  private async collect(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const entryId = step.result as string | undefined;
    if (!entryId) return step.endDialog();
    const profile = await getProfile(this.deps.profile, step.context);
    if (profile.entryId !== entryId) {
      profile.unknown = [];
      profile.entryId = entryId;
    }
    const entry = this.entry(entryId);
    // "哪些省份要求主体负责人必须是法人": a question about a detail in general is answered with the general answer.
    const text = (step.options as FlowOptions | undefined)?.text ?? step.context.activity.text ?? '';
    for (const slot of entry.slots ?? []) {
      const askedAbout = slotDeclaration(slot.name).askedAbout;
      if (askedAbout && saysAny(text, askedAbout) && !profile.unknown.includes(slot.name)) {
        profile.unknown.push(slot.name);
        (step.values as Record<string, unknown>).askedAbout = true;
      }
    }
    if (!nextDetailToAsk(entry, profile)) return step.next(entryId);
    return step.beginDialog(ASK_DETAILS_DIALOG, { entryId });
  }

  private async answer(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const profile = await getProfile(this.deps.profile, context);
    const entry = this.entry(profile.entryId!);
    const lang = profile.lang ?? 'zh';
    const score = profile.entryScore ?? 1;
    const classification = (step.values as Record<string, unknown>).classification as Classification | undefined;
    const answerFor = (l: typeof lang) => composeAnswer(entry, { lang: l, today: this.deps.today(), details: profile.details });
    const asked = entry.slots?.some((s) => profile.unknown.includes(s.name)) && !(step.values as Record<string, unknown>).askedAbout;
    let text = `${asked ? `${message('unknownDetail', lang)}\n\n` : ''}${answerFor(lang)}`;

    const others = (classification?.candidates ?? []).filter((c) => c.id !== entry.id && isAnswerable(this.entry(c.id)));
    if (this.deps.isAgentConversation(context)) {
      const other = lang === 'zh' ? 'en' : 'zh';
      const next = others.slice(0, 2).map((c) => `${c.id} (${c.score})`).join(', ') || '-';
      text = `${text}\n\n---\n\n${answerFor(other)}\n\n---\n\`${entry.id}\` · ${score} · ${next}`;
    }
    const suggestions = score < CONFIDENT ? others.slice(0, MAX_SUGGESTIONS) : [];
    if (suggestions.length) {
      profile.suggestions = suggestions.map((c) => c.id);
      text = `${text}\n\n${message('didYouMean', lang)}`;
    }
    const actions = suggestions.map((c) => ({ type: ActionTypes.ImBack, title: this.entry(c.id).title[lang], value: this.entry(c.id).title[lang] }));
    await context.sendActivity(reply(text, { intent: entry.id, score }, actions));
    profile.unknown = [];
    return step.endDialog();
  }

  private async takeImage(context: TurnContext, attachment: Attachment, profile: ConversationProfile): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = attachment.contentUrl ? await this.deps.download(attachment.contentUrl) : Buffer.alloc(0);
    } catch {
      // The file never reached the bot: say so, rather than judge an image that was never read.
      await context.sendActivity(reply(message('attachmentUnreadable', profile.lang ?? 'zh'), { intent: 'none', score: 0 }));
      return;
    }
    profile.details.image = await inspectImage(bytes, attachment.name);
  }
}

function isAnswerable(entry: Entry): boolean {
  return entry.kind === 'failure' || entry.kind === 'question';
}

/** File attachments (not cards) a user sent. */
function imagesOf(attachments: Attachment[] | undefined): Attachment[] {
  return (attachments ?? []).filter((a) => a.contentUrl && !a.contentType?.startsWith('application/vnd.microsoft.card'));
}

/** The detail the innermost open prompt asks for, if a detail question is open. */
function openQuestionSlot(inner: DialogContext): string | undefined {
  let dc: DialogContext | undefined = inner;
  while (dc?.child) dc = dc.child;
  const options = dc?.activeDialog?.state?.options as { validations?: { slot?: unknown } } | undefined;
  return typeof options?.validations?.slot === 'string' ? options.validations.slot : undefined;
}
