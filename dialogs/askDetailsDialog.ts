import { ActionTypes, type TurnContext } from 'botbuilder';
import {
  ChoicePrompt,
  ComponentDialog,
  ListStyle,
  TextPrompt,
  WaterfallDialog,
  type DateTimeResolution,
  type PromptValidatorContext,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { Entry } from '../kb/types';
import { holds } from '../kb/condition';
import { reply } from '../bots/replies';
import { message } from '../answers/messages';
import { slotDeclaration, type SlotDeclaration } from '../understanding/slots';
import { dayOf } from '../understanding/details';
import { formatDate } from '../answers/calculators';
import { chineseAwareTokenizer } from '../understanding/choiceTokenizer';
import { ClockDatePrompt } from './clockDatePrompt';
import type { Lang } from '../understanding/language';
import { getProfile, learn, type ConversationProfile } from './conversationProfile';
import { turnUnderstanding } from './turn';
import type { DialogDependencies } from './dialogContext';

export const ASK_DETAILS_DIALOG = 'askDetailsDialog';
const LOOP = 'askDetailsLoop';
const CHOICE_PROMPT = 'detailChoicePrompt';
const DATE_PROMPT = 'detailDatePrompt';
const TEXT_PROMPT = 'detailTextPrompt';

/** A prompt's result when the user doesn't know the detail, or missed twice: answer without it. */
export const UNKNOWN = '__unknown__';
/** Misses after which the bot stops asking and answers in general. */
const MAX_ATTEMPTS = 2;

export interface AskDetailsOptions {
  entryId: string;
  /** The user just gave other details instead of the one asked: say they are noted and why this one matters. */
  explain?: boolean;
}

/** The next detail an entry's answer depends on that the conversation doesn't know yet, or undefined when all are known. */
export function nextDetailToAsk(entry: Entry, profile: ConversationProfile): string | undefined {
  return entry.slots?.find(
    (slot) =>
      slot.ask !== false &&
      profile.details[slot.name] === undefined &&
      !profile.unknown.includes(slot.name) &&
      holds(slot.when, profile.details),
  )?.name;
}

/** Asks, one at a time, for the details an entry's answer depends on; never for one the conversation already knows. */
export class AskDetailsDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDependencies) {
    super(ASK_DETAILS_DIALOG);
    const choicePrompt = new ChoicePrompt(CHOICE_PROMPT, (pc) => this.validateChoice(pc));
    choicePrompt.recognizerOptions = { tokenizer: chineseAwareTokenizer, recognizeOrdinals: true, recognizeNumbers: true };
    choicePrompt.style = ListStyle.suggestedAction;
    this.addDialog(choicePrompt)
      .addDialog(new ClockDatePrompt(DATE_PROMPT, (pc) => this.validateDate(pc), deps.today))
      .addDialog(new TextPrompt(TEXT_PROMPT, (pc) => this.validateText(pc)))
      .addDialog(new WaterfallDialog(LOOP, [(step) => this.ask(step), (step) => this.store(step)]));
    this.initialDialogId = LOOP;
  }

  private async ask(step: WaterfallStepContext) {
    const { entryId, explain } = step.options as AskDetailsOptions;
    const profile = await getProfile(this.deps.profile, step.context);
    const entry = this.deps.understanding.kb.byId.get(entryId)!;
    const slot = nextDetailToAsk(entry, profile);
    if (!slot) return step.endDialog();
    const lang = profile.lang ?? 'zh';
    const declaration = slotDeclaration(slot);
    const meta = { intent: entry.id, score: profile.entryScore ?? 1, slot };
    const why = entry.slots?.find((s) => s.name === slot)?.why ?? declaration.why;
    if (explain) {
      const noted = (turnUnderstanding(step.context)?.reading.details ?? []).map((d) => labelOf(d.slot, profile.details[d.slot], lang)).filter(Boolean).join(lang === 'zh' ? '、' : ', ');
      await step.context.sendActivity(reply(noted ? message('notedAndWhy', lang, { noted, why: why[lang] }) : why[lang], meta));
    }
    // Said with a hedge ("the English one I think"): confirmed before it is used, never taken as certain.
    const hedged = profile.hedged?.[slot];
    const hedgedLabel = hedged ? labelOf(slot, hedged, lang) ?? (declaration.type === 'date' ? formatDate(hedged, lang) : undefined) : undefined;
    const prompt = reply(hedgedLabel ? message('confirmHedged', lang, { value: hedgedLabel }) : declaration.prompt[lang], meta);
    const retryPrompt = reply(declaration.retry[lang], meta);
    switch (declaration.type) {
      case 'choice':
        return step.prompt(CHOICE_PROMPT, { prompt, retryPrompt, choices: choicesOf(declaration, lang), validations: { slot } });
      case 'date':
        return step.prompt(DATE_PROMPT, { prompt, retryPrompt, validations: { slot } });
      default:
        return step.prompt(TEXT_PROMPT, { prompt, retryPrompt, validations: { slot } });
    }
  }

  private async store(step: WaterfallStepContext) {
    const profile = await getProfile(this.deps.profile, step.context);
    const slot = (step.result as { slot: string; value: unknown }).slot;
    const value = (step.result as { slot: string; value: unknown }).value;
    // Other details of the message ("我在香港，是个人") were remembered when it was read.
    if (value === UNKNOWN) profile.unknown.push(slot);
    else learn(profile, slot, value, 'asked');
    return step.replaceDialog(LOOP, { entryId: (step.options as AskDetailsOptions).entryId } satisfies AskDetailsOptions);
  }

  /** Accepts what the choice recognizer found, else the lenient slot reader; a "don't know" or a second miss gives up on the detail. */
  private async validateChoice(pc: PromptValidatorContext<unknown>): Promise<boolean> {
    const slot = slotOf(pc.options.validations);
    // The reading's "don't know" wins over a value the recognizer finds in "不知道是中国站还是国际站".
    const read = this.lenient(pc.context, slot);
    const found = read !== UNKNOWN && pc.recognized.succeeded ? (pc.recognized.value as { value: string }).value : undefined;
    return this.settle(pc, slot, found ?? read);
  }

  /** Takes the most recent day the recognizer offers that is not in the future; a future issue date is asked again. */
  private async validateDate(pc: PromptValidatorContext<DateTimeResolution[]>): Promise<boolean> {
    const slot = slotOf(pc.options.validations);
    const today = this.deps.today();
    // The reading weighed corrections and negations ("Dec 2, no wait, Nov 29"): its date wins over the prompt's latest.
    const read = this.lenient(pc.context, slot);
    if (typeof read === 'string' && read !== UNKNOWN) return this.settle(pc, slot, read);
    const dates = (pc.recognized.succeeded ? pc.recognized.value ?? [] : []).map(dayOf).filter((d): d is string => !!d);
    const past = dates.filter((d) => d <= today).sort();
    if (past.length) return this.settle(pc, slot, past[past.length - 1]);
    if (dates.length) {
      const profile = await getProfile(this.deps.profile, pc.context);
      const lang = profile.lang ?? 'zh';
      const entryId = (pc.options.prompt as { channelData?: { intent: string } }).channelData?.intent ?? 'none';
      await pc.context.sendActivity(reply(message('futureDate', lang, { today }), { intent: entryId, score: profile.entryScore ?? 1, slot }));
      return false;
    }
    return this.settle(pc, slot, this.lenient(pc.context, slot));
  }

  /** Free-text details; a certificate number arrives already analysed (the reading keeps only its masked analysis). */
  private async validateText(pc: PromptValidatorContext<string>): Promise<boolean> {
    const slot = slotOf(pc.options.validations);
    return this.settle(pc, slot, this.lenient(pc.context, slot));
  }

  /** The answer the message's reading found for the slot. */
  private lenient(context: TurnContext, slot: string): unknown {
    const answer = turnUnderstanding(context)?.reading.answer;
    if (answer === 'unknown') return UNKNOWN;
    if (!answer || answer.slot !== slot) return undefined;
    if (slot === 'issueDate' && typeof answer.value === 'string' && answer.value > this.deps.today()) return undefined;
    return answer.value;
  }

  private settle(pc: PromptValidatorContext<unknown>, slot: string, value: unknown): boolean {
    if (value === undefined && pc.attemptCount < MAX_ATTEMPTS) return false;
    (pc.recognized as { value: unknown }).value = { slot, value: value ?? UNKNOWN };
    return true;
  }
}

/** The detail a prompt asks for, kept in the prompt's options so interruptions can read it too. */
export function slotOf(validations: unknown): string {
  return (validations as { slot: string }).slot;
}

/** A choice detail's label in the language ("国际站（alibabacloud.com）"). */
function labelOf(slot: string, value: unknown, lang: Lang): string | undefined {
  return slotDeclaration(slot).choices?.find((c) => c.value === value)?.[lang];
}

function choicesOf(declaration: SlotDeclaration, lang: Lang) {
  return (declaration.choices ?? []).map((choice) => ({
    value: choice.value,
    action: { type: ActionTypes.ImBack, title: choice[lang], value: choice[lang] },
    synonyms: [choice.zh, choice.en, ...(choice.synonyms?.zh ?? []), ...(choice.synonyms?.en ?? [])],
  }));
}
