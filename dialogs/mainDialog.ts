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
import { testedKeys } from '../kb/condition';
import { readMessage, type Reading } from '../understanding/reading';
import { MAX_TEXT_LENGTH } from '../understanding/normalize';
import { slotCatalog } from '../understanding/slots';
import { inspectImage } from '../answers/imageCheck';
import type { CertNumberAnalysis } from '../answers/certNumber';
import { asList, kindName, renderCertProblems } from '../answers/diagnostics';
import { composeAnswer, tailoredAnswer } from '../answers/composeAnswer';
import { answerPart, namesTopic } from '../answers/answerPart';
import { message } from '../answers/messages';
import { calculators, formatDate } from '../answers/calculators';
import { reply, type ReplyMeta } from '../bots/replies';
import { AskDetailsDialog, ASK_DETAILS_DIALOG, nextDetailToAsk, type AskDetailsOptions } from './askDetailsDialog';
import { ClarifyProductDialog, CLARIFY_PRODUCT_DIALOG } from './clarifyProductDialog';
import { getProfile, learn, learnDetails, type ConversationProfile } from './conversationProfile';
import { CONFIDENT, decide, type Decision } from './policy';
import { setTurnUnderstanding, turnUnderstanding } from './turn';
import type { DialogDependencies } from './dialogContext';

export const MAIN_DIALOG = 'mainDialog';
const FLOW = 'mainFlow';

export { CONFIDENT };
const MAX_SUGGESTIONS = 3;
/** Turns in a row without help after which a person is offered. */
const FAILURES_BEFORE_OFFER = 2;

interface FlowOptions {
  /** The decision taken at a question that left it (a new failure, a correction …): derived data only, never the text. */
  decision?: Decision;
}

/** Actions that go on with the entry being worked on, after the tracker has been updated. */
const CONTINUES_ENTRY = new Set(['correct', 'rememberOther', 'takeHedged', 'reask', 'confirmHedge']);

/**
 * Recognizes what the user needs, asks for the details the answer depends on, and answers for their case.
 * Each message is read once (understanding/reading.ts) and the turn decided once (policy.ts); this dialog carries it out.
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
    const profile = await getProfile(this.deps.profile, context);
    const text = context.activity.text ?? '';
    if (text.trim()) this.understand(context, profile, openQuestionSlot(dc));
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
    profile.openSlot = openQuestionSlot(dc);
  }

  /** Reads the message once, decides the turn once, and remembers the details it gave (unless it starts over). */
  private understand(context: TurnContext, profile: ConversationProfile, openSlot: string | undefined): void {
    const reading = readMessage(
      context.activity.text ?? '',
      { lang: profile.lang ?? 'zh', today: this.deps.today(), openSlot, product: profile.details.product as Entry['product'], certType: profile.details.certType as string | undefined },
      this.deps.understanding.classifier,
    );
    const current = profile.entryId ? this.deps.understanding.kb.byId.get(profile.entryId) : undefined;
    const decision = decide({
      reading,
      tracker: profile,
      openSlot,
      tailoredBy: current ? tailoredBy(current) : [],
      answerable: (id) => isAnswerable(this.entry(id)),
      answeredByLastEntry: () => !!current && this.partAsked(current, profile, reading).length > 0,
      productOf: (id) => this.deps.understanding.kb.byId.get(id)?.product,
      isQuestionEntry: (id) => this.entry(id)?.kind === 'question',
      relatedToLastEntry: (id) => !!current && (this.entry(id)?.product === current.product || !!current.sharedWith?.includes(id)),
    });
    setTurnUnderstanding(context, { reading, decision });
    // A message too long to read gives no details either: the bot said it did not read it.
    if (decision.action === 'restart' || decision.action === 'cancel' || decision.action === 'tooLong') return;
    learnDetails(profile, reading.details);
    // A hedged change after the answer ("不对，我记得是11月14号"): answered with it, saying so, rather than ignored.
    if (decision.action === 'recompute') {
      for (const d of reading.details) if (d.certainty === 'hedged' && current && tailoredBy(current).includes(d.slot)) learn(profile, d.slot, d.value, 'said');
    }
    if (decision.action === 'confirmHedge' && typeof reading.answer === 'object') (profile.hedged ??= {})[reading.answer.slot] = String(reading.answer.value);
    if (decision.action === 'takeHedged' && openSlot) learn(profile, openSlot, profile.hedged![openSlot], 'asked');
    if (decision.action === 'reask' && openSlot) delete profile.hedged?.[openSlot];
  }

  private entry(id: string): Entry {
    return this.deps.understanding.kb.byId.get(id)!;
  }

  /** A message while a question is open: the decision is carried out here, or by the open prompt when it is an answer. */
  protected async onContinueDialog(inner: DialogContext): Promise<DialogTurnResult> {
    const context = inner.context;
    const profile = await getProfile(this.deps.profile, context);
    const lang = profile.lang ?? 'zh';
    const current = profile.entryId ? this.entry(profile.entryId) : undefined;
    const meta: ReplyMeta = { intent: current?.id ?? 'none', score: profile.entryScore ?? 0 };
    const turn = turnUnderstanding(context);

    const images = imagesOf(context.activity.attachments);
    if (!turn) {
      if (images.length && current?.slots?.some((s) => s.name === 'image')) {
        await this.takeImage(context, images[0], profile);
        await inner.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      }
      // An image at another question (the certificate number …) is no answer to it, but it is looked at.
      if (images.length) {
        await this.noteImage(context, images[0], profile, current);
        await inner.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      }
      return super.onContinueDialog(inner);
    }
    const { decision } = turn;
    switch (decision.action) {
      case 'cancel':
      case 'restart':
        await inner.cancelAllDialogs();
        await this.steer(context, decision.action, profile);
        return { status: DialogTurnStatus.complete };
      case 'tooLong':
        await context.sendActivity(reply(message('messageTooLong', lang, { limit: MAX_TEXT_LENGTH }), meta));
        if (images.length) await this.imageBesideText(context, images[0], profile, current);
        await inner.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      case 'helpAtQuestion':
        await context.sendActivity(reply(message('help', lang, { title: current?.title[lang] ?? '' }), meta));
        await inner.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      case 'explainDetail': {
        const slot = openQuestionSlot(inner);
        const why = current?.slots?.find((s) => s.name === slot)?.why ?? (slot ? slotCatalog().slots[slot].why : undefined);
        if (slot && why) await context.sendActivity(reply(why[lang], { ...meta, slot }));
        await inner.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      }
      case 'answerPartAtQuestion':
        await this.answerPart(context, profile);
        await inner.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      case 'takeAnswer':
        return super.onContinueDialog(inner);
    }
    await inner.cancelAllDialogs();
    return inner.beginDialog(FLOW, { decision } satisfies FlowOptions);
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const profile = await getProfile(this.deps.profile, context);
    const lang = profile.lang ?? 'zh';
    const images = imagesOf(context.activity.attachments);
    const turn = turnUnderstanding(context);

    const last = profile.entryId ? this.entry(profile.entryId) : undefined;
    if (!turn) {
      if (images.length && last?.slots?.some((s) => s.name === 'image')) {
        await this.takeImage(context, images[0], profile);
        return step.next(last.id);
      }
      if (images.length && last) {
        await this.noteImage(context, images[0], profile, last);
        return step.endDialog();
      }
      await context.sendActivity(reply(message(images.length ? 'attachmentOnly' : 'emptyMessage', lang), { intent: 'none', score: 0 }));
      return step.endDialog();
    }

    const decision = (step.options as FlowOptions | undefined)?.decision ?? turn.decision;
    if (decision.action !== 'pick') profile.suggestions = undefined;
    const classification = turn.reading.classification;
    (step.values as Record<string, unknown>).others = classification.candidates.map((c) => c.id);
    if (CONTINUES_ENTRY.has(decision.action) && profile.entryId) {
      if (decision.action === 'rememberOther') (step.values as Record<string, unknown>).noted = turn.reading.details.map((d) => d.slot);
      return this.choose(step, profile, profile.entryId, profile.entryScore ?? 1);
    }
    switch (decision.action) {
      case 'cancel':
      case 'restart':
      case 'help':
        await this.steer(context, decision.action, profile);
        return step.endDialog();
      case 'tooLong':
        await context.sendActivity(reply(message('messageTooLong', lang, { limit: MAX_TEXT_LENGTH }), { intent: 'none', score: 0 }));
        // The text is not read, but an image sent with it is: the entry answered again with it, or the image looked at.
        if (images.length && last?.slots?.some((s) => s.name === 'image')) {
          if (await this.takeImage(context, images[0], profile)) return step.next(last.id);
        } else if (images.length) await this.noteImage(context, images[0], profile, last);
        return step.endDialog();
      case 'lostContext':
        await context.sendActivity(reply(message('lostContext', lang), { intent: 'none', score: 0 }));
        return step.endDialog();
      case 'pick':
      case 'answerAgain':
      case 'recompute':
        return this.choose(step, profile, decision.entryId!, decision.action === 'pick' ? 1 : profile.entryScore ?? 1);
      case 'answerPart':
        await this.answerPart(context, profile);
        return step.endDialog();
      case 'checkNumber':
        await this.checkNumber(context, profile);
        return step.endDialog();
      case 'handoff':
        await this.handOff(context, decision.score ?? 1);
        return step.endDialog();
      case 'clarify':
        return step.beginDialog(CLARIFY_PRODUCT_DIALOG, { candidates: decision.candidates!, score: decision.score ?? 0 });
      case 'whichFailure':
        return this.askWhichFailure(step, profile, decision);
      case 'outOfScope':
        await this.outOfScope(context, profile, decision.score ?? 0);
        return step.endDialog();
      case 'smalltalk':
        await context.sendActivity(reply(this.entry(decision.entryId!).answer[lang].trim(), { intent: decision.entryId!, score: decision.score ?? 1 }));
        return step.endDialog();
    }
    const entryId = decision.entryId ?? profile.entryId;
    if (!entryId) {
      await this.outOfScope(context, profile, 0);
      return step.endDialog();
    }
    if (images.length && this.entry(entryId).slots?.some((s) => s.name === 'image')) await this.takeImage(context, images[0], profile);
    else if (images.length) await this.noteImage(context, images[0], profile, this.entry(entryId));
    return this.choose(step, profile, entryId, decision.score ?? 1);
  }

  /** Cancel, start over (forgetting every detail), or help when no question is open. */
  private async steer(context: TurnContext, command: 'cancel' | 'restart' | 'help', profile: ConversationProfile): Promise<void> {
    const lang = profile.lang ?? 'zh';
    switch (command) {
      case 'cancel':
        await context.sendActivity(reply(message('cancelled', lang), { intent: profile.entryId ?? 'none', score: profile.entryScore ?? 0 }));
        return;
      case 'restart':
        Object.assign(profile, { details: {}, sources: {}, hedged: {}, unknown: [], entryId: undefined, entryScore: undefined, suggestions: undefined, lastAnswer: undefined, failures: 0 });
        await context.sendActivity(reply(`${message('restarted', lang)}\n\n${message('welcome', lang)}`, { intent: 'smalltalk.greeting', score: 1 }));
        return;
      default:
        await context.sendActivity(reply(message('helpIdle', lang), { intent: 'smalltalk.greeting', score: 1 }));
    }
  }

  /** The one place the conversation is handed to a person (channelData.handoff: true). */
  private async handOff(context: TurnContext, score: number): Promise<void> {
    const profile = await getProfile(this.deps.profile, context);
    // bots/handoff: opens a case, tells the customer, sends handoff.initiate, posts to the agents (numbers masked there).
    await this.deps.handoff.start(context, { lang: profile.lang ?? 'zh', entryId: profile.entryId, score, details: profile.details, recent: [] });
  }

  /** Out of scope; after repeated turns without help, a person is offered (a suggested action, never forced). */
  private async outOfScope(context: TurnContext, profile: ConversationProfile, score: number): Promise<void> {
    const lang = profile.lang ?? 'zh';
    profile.failures = (profile.failures ?? 0) + 1;
    const offer = profile.failures >= FAILURES_BEFORE_OFFER ? `\n\n${message('handoffOffer', lang)}` : '';
    await context.sendActivity(reply(`${this.entry('none').answer[lang].trim()}${offer}`, { intent: 'none', score }, [message('handoffAction', lang)]));
  }

  /**
   * A follow-up on the last answer that changes none of its details: the part of that entry's answer that speaks of it,
   * or, when none does, the honest "the documents don't say" with a person offered. Never another entry's answer.
   */
  private async answerPart(context: TurnContext, profile: ConversationProfile): Promise<void> {
    const lang = profile.lang ?? 'zh';
    const { reading } = turnUnderstanding(context)!;
    const entry = this.entry(profile.entryId!);
    const meta = { intent: entry.id, score: profile.entryScore ?? 1 };
    const title = entry.title[lang];
    const full = composeAnswer(entry, { lang, today: this.deps.today(), details: profile.details });
    const part = this.partAsked(entry, profile, reading);
    if (part.length) {
      profile.failures = 0;
      await context.sendActivity(reply(`${message('partOfAnswer', lang, { title })}\n\n${part.join('\n')}`, meta));
      return;
    }
    // "so what should we do?", "where is that?": nothing in particular asked, so the part of the answer that is about
    // their case; a question with no words of its own asks about the answer itself, given again when nothing is tailored.
    const aboutTheAnswer = !!reading.signals.question && reading.contentWords.length === 0 && !namesTopic(reading.normalized);
    const tailored =
      reading.signals.question === 'how' || reading.signals.question === 'what' || aboutTheAnswer ? tailoredAnswer(entry, { lang, today: this.deps.today(), details: profile.details }) : '';
    if ((tailored || aboutTheAnswer) && !reading.details.length) {
      profile.failures = 0;
      await context.sendActivity(reply(tailored ? `${message('forYourCase', lang, { title })}\n\n${tailored}` : full, meta));
      return;
    }
    const untailored = reading.details.map((d) => slotLabel(d.slot, d.value, lang)).filter((l): l is string => !!l);
    if (untailored.length) {
      profile.failures = 0;
      await context.sendActivity(reply(`${message('notTailoredBy', lang, { title, details: untailored.join(lang === 'zh' ? '、' : ', ') })}\n\n${full}`, meta));
      return;
    }
    profile.failures = (profile.failures ?? 0) + 1;
    await context.sendActivity(reply(message('notInDocuments', lang, { title }), meta, [message('handoffAction', lang)]));
  }

  /** A certificate number sent after an answer that does not depend on it: the number checked, and the answer said to stand. */
  private async checkNumber(context: TurnContext, profile: ConversationProfile): Promise<void> {
    const lang = profile.lang ?? 'zh';
    const entry = this.entry(profile.entryId!);
    const analysis = turnUnderstanding(context)!.reading.details.find((d) => d.slot === 'certNumber')!.value as CertNumberAnalysis;
    const problems = renderCertProblems(analysis, lang);
    const verdict = problems.length
      ? asList(problems, lang)
      : message(analysis.checked ? 'certNumberFine' : 'certNumberUnchecked', lang, { kind: kindName(analysis.kind, lang) });
    profile.failures = 0;
    const said = turnUnderstanding(context)!.reading.mentioned.filter((slot) => slot !== 'certNumber' && tailoredBy(entry).includes(slot));
    const tailored = said.length ? tailoredAnswer(entry, { lang, today: this.deps.today(), details: profile.details }) : '';
    const forCase = tailored ? `\n\n${message('forYourCase', lang, { title: entry.title[lang] })}\n\n${tailored}` : '';
    const text = `${message('certNumberBesideAnswer', lang, { title: entry.title[lang], masked: analysis.masked })}\n${verdict}${forCase}`;
    await context.sendActivity(reply(text, { intent: entry.id, score: profile.entryScore ?? 1 }));
  }

  /** The lines of the entry's answer, or its parts, that a follow-up asks for; the seed's next step for "还是不行". */
  private partAsked(entry: Entry, profile: ConversationProfile, reading: Reading): string[] {
    const lang = profile.lang ?? 'zh';
    const full = composeAnswer(entry, { lang, today: this.deps.today(), details: profile.details });
    const nextSteps = reading.signals.stillFails ? (entry.parts ?? []).filter((p) => p.stillFails).map((p) => p[lang].trim()) : [];
    const parts = (entry.parts ?? []).map((p) => ({ text: p[lang], asks: [...(p.asks?.zh ?? []), ...(p.asks?.en ?? [])] }));
    const asked = answerPart(full, reading.normalized, parts);
    return nextSteps.length && !asked.some((line) => nextSteps.includes(line)) ? nextSteps : asked;
  }

  /** Asks for the exact failure prompt, offering the product's likeliest entries (a number picks one). */
  private async askWhichFailure(step: WaterfallStepContext, profile: ConversationProfile, decision: Decision): Promise<DialogTurnResult> {
    const lang = profile.lang ?? 'zh';
    const likely = (decision.candidates ?? []).slice(0, MAX_SUGGESTIONS);
    profile.suggestions = likely;
    // The product unknown: each offer says its product, and the question asks for it too.
    const product = decision.product ?? (profile.details.product as Entry['product'] | undefined);
    const label = (id: string) => {
      const entry = this.entry(id);
      const name = slotLabel('product', entry.product, lang);
      return product || !name ? entry.title[lang] : `${name}: ${entry.title[lang]}`;
    };
    const meta: ReplyMeta = { intent: 'clarify', score: decision.score ?? 0, candidates: likely, ...(product ? {} : { slot: 'product' }) };
    await step.context.sendActivity(reply(message(product ? 'whichFailure' : 'whichProductFailure', lang), meta, likely.map(label)));
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
    const askedAbout = turnUnderstanding(step.context)?.reading.askedAbout ?? [];
    for (const slot of entry.slots ?? []) {
      if (askedAbout.includes(slot.name) && !profile.unknown.includes(slot.name)) {
        profile.unknown.push(slot.name);
        (step.values as Record<string, unknown>).askedAbout = true;
      }
    }
    if (!nextDetailToAsk(entry, profile)) return step.next(entryId);
    const noted = (step.values as Record<string, unknown>).noted as string[] | undefined;
    return step.beginDialog(ASK_DETAILS_DIALOG, { entryId, explain: !!noted?.length } satisfies AskDetailsOptions);
  }

  private async answer(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const profile = await getProfile(this.deps.profile, context);
    const entry = this.entry(profile.entryId!);
    const lang = profile.lang ?? 'zh';
    const score = profile.entryScore ?? 1;
    const answerFor = (l: typeof lang) => composeAnswer(entry, { lang: l, today: this.deps.today(), details: profile.details });
    const asked = entry.slots?.some((s) => profile.unknown.includes(s.name)) && !(step.values as Record<string, unknown>).askedAbout;
    const turn = turnUnderstanding(context);
    const assumed = turn?.decision.action === 'recompute' ? turn.reading.details.filter((d) => d.certainty === 'hedged' && profile.details[d.slot] === d.value) : [];
    const assumedNote = assumed.length ? `${message('assumedHedged', lang, { values: assumed.map((d) => detailLabel(d.slot, d.value, lang)).join(lang === 'zh' ? '、' : ', ') })}\n\n` : '';
    let text = `${assumedNote}${asked ? `${message('unknownDetail', lang)}\n\n` : ''}${answerFor(lang)}`;

    const others = (((step.values as Record<string, unknown>).others as string[] | undefined) ?? []).filter((id) => id !== entry.id && isAnswerable(this.entry(id)));
    if (this.deps.isAgentConversation(context)) {
      const other = lang === 'zh' ? 'en' : 'zh';
      text = `${text}\n\n---\n\n${answerFor(other)}\n\n---\n\`${entry.id}\` · ${score} · ${others.slice(0, 2).join(', ') || '-'}`;
    }
    const suggestions = score < CONFIDENT ? others.slice(0, MAX_SUGGESTIONS) : [];
    if (suggestions.length) {
      profile.suggestions = suggestions;
      text = `${text}\n\n${message('didYouMean', lang)}`;
    }
    const actions = suggestions.map((id) => ({ type: ActionTypes.ImBack, title: this.entry(id).title[lang], value: this.entry(id).title[lang] }));
    await context.sendActivity(reply(text, { intent: entry.id, score }, actions));
    profile.lastAnswer = { entryId: entry.id, details: { ...profile.details } };
    profile.failures = 0;
    // What the user could not or would not say stays unsaid for this entry: a follow-up that changes another detail
    // ("那个人的话呢") is answered again without asking it twice. A new entry starts afresh (choose, collect).
    return step.endDialog();
  }

  private async takeImage(context: TurnContext, attachment: Attachment, profile: ConversationProfile): Promise<boolean> {
    let bytes: Buffer;
    try {
      bytes = attachment.contentUrl ? await this.deps.download(attachment.contentUrl) : Buffer.alloc(0);
    } catch {
      // The file never reached the bot: say so, rather than judge an image that was never read.
      await context.sendActivity(reply(message('attachmentUnreadable', profile.lang ?? 'zh'), { intent: 'none', score: 0 }));
      return false;
    }
    learn(profile, 'image', await inspectImage(bytes, attachment.name), 'said');
    return true;
  }

  /** An image sent with a text too long to read, at a question: taken for the entry that asks for one, else looked at. */
  private async imageBesideText(context: TurnContext, attachment: Attachment, profile: ConversationProfile, entry: Entry | undefined): Promise<void> {
    if (entry?.slots?.some((s) => s.name === 'image')) {
      if (await this.takeImage(context, attachment, profile)) await context.sendActivity(reply(message('imageKept', profile.lang ?? 'zh'), { intent: entry.id, score: profile.entryScore ?? 1 }));
      return;
    }
    await this.noteImage(context, attachment, profile, entry);
  }

  /**
   * An image the entry's answer does not ask for (sent at another question, with a text too long to read, or after the
   * answer): inspected when an upload rule can judge it (a domain site, the ICP app) and the result said; acknowledged
   * otherwise. Never passed over in silence.
   */
  private async noteImage(context: TurnContext, attachment: Attachment, profile: ConversationProfile, entry: Entry | undefined): Promise<void> {
    const lang = profile.lang ?? 'zh';
    const meta = { intent: entry?.id ?? 'none', score: entry ? profile.entryScore ?? 1 : 0 };
    const product = entry?.product ?? (profile.details.product as string | undefined) ?? 'general';
    const title = entry?.title[lang];
    const notNeeded = title ? `\n\n${message('imageNotNeeded', lang, { title })}` : '';
    // 大鱼号 has no upload rule: there is nothing an image could be checked against.
    if (product === 'dayu') {
      await context.sendActivity(reply(`${message('imageReceived', lang)}${notNeeded}`, meta));
      return;
    }
    if (!(await this.takeImage(context, attachment, profile))) return;
    const ctx = { lang, today: this.deps.today(), slots: profile.details, product };
    const image = calculators.imageCheck(ctx);
    const rule = calculators.uploadRule(ctx);
    const verdict = image.imageProblemCount
      ? String(image.imageProblems)
      : message(rule.ruleName ? 'imageFitsRule' : 'imageNoRule', lang, { rule: String(rule.ruleName ?? '') });
    const head = message('imageInspected', lang, { format: String(image.imageFormat), size: String(image.imageSize) });
    await context.sendActivity(reply(`${head}\n${verdict}${notNeeded}`, meta));
  }
}

function isAnswerable(entry: Entry): boolean {
  return entry.kind === 'failure' || entry.kind === 'question';
}

/** The details an entry's answer is tailored by: the slots it declares and the details its cases test. */
export function tailoredBy(entry: Entry): string[] {
  const slots = slotCatalog().slots;
  const tested = (entry.cases ?? []).flatMap((c) => testedKeys(c.when)).filter((k) => k in slots);
  return [...new Set([...(entry.slots ?? []).map((s) => s.name), ...tested])];
}

/** A choice detail's label ("国际站（alibabacloud.com）"), for saying what the answer does not depend on. */
function slotLabel(slot: string, value: unknown, lang: 'zh' | 'en'): string | undefined {
  return slotCatalog().slots[slot]?.choices?.find((c) => c.value === value)?.[lang];
}

/** A detail as the user reads it: a choice by its label, a date written out. */
function detailLabel(slot: string, value: unknown, lang: 'zh' | 'en'): string {
  return slotLabel(slot, value, lang) ?? (slotCatalog().slots[slot]?.type === 'date' && typeof value === 'string' ? formatDate(value, lang) : String(value));
}

/** File attachments (not cards) a user sent. */
function imagesOf(attachments: Attachment[] | undefined): Attachment[] {
  return (attachments ?? []).filter((a) => a.contentUrl && !a.contentType?.startsWith('application/vnd.microsoft.card'));
}

/** The detail the innermost open prompt asks for, if a detail question is open. */
function openQuestionSlot(dc: DialogContext): string | undefined {
  let inner: DialogContext | undefined = dc;
  while (inner?.child) inner = inner.child;
  const options = inner?.activeDialog?.state?.options as { validations?: { slot?: unknown } } | undefined;
  return typeof options?.validations?.slot === 'string' ? options.validations.slot : undefined;
}
