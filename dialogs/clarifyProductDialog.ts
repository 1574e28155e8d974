import { ActionTypes } from 'botbuilder';
import { ChoicePrompt, ComponentDialog, ListStyle, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { reply } from '../bots/replies';
import { message } from '../answers/messages';
import { slotDeclaration } from '../understanding/slots';
import { chineseAwareTokenizer } from '../understanding/choiceTokenizer';
import { composeAnswer } from '../answers/composeAnswer';
import { getProfile, learn, type ConversationProfile } from './conversationProfile';
import { UNKNOWN } from './askDetailsDialog';
import { turnUnderstanding } from './turn';
import type { DialogDependencies } from './dialogContext';

export const CLARIFY_PRODUCT_DIALOG = 'clarifyProductDialog';
const FLOW = 'clarifyProductFlow';
const PRODUCT_PROMPT = 'clarifyProductPrompt';

export interface ClarifyOptions {
  /** The close entries, from different products, best first. */
  candidates: string[];
  score: number;
}

/** Asks which product a prompt came from when the same text exists in several, and returns the chosen entry's id. */
export class ClarifyProductDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDependencies) {
    super(CLARIFY_PRODUCT_DIALOG);
    const prompt = new ChoicePrompt(PRODUCT_PROMPT, (pc) => this.validate(pc));
    prompt.recognizerOptions = { tokenizer: chineseAwareTokenizer, recognizeOrdinals: true, recognizeNumbers: true };
    prompt.style = ListStyle.suggestedAction;
    this.addDialog(prompt).addDialog(new WaterfallDialog(FLOW, [(s) => this.ask(s), (s) => this.choose(s)]));
    this.initialDialogId = FLOW;
  }

  private async ask(step: WaterfallStepContext) {
    const { candidates, score } = step.options as ClarifyOptions;
    const profile = await getProfile(this.deps.profile, step.context);
    const lang = profile.lang ?? 'zh';
    const choices = candidates.map((id) => {
      const entry = this.deps.understanding.kb.byId.get(id)!;
      const product = productChoice(entry.product);
      const title = `${product?.[lang] ?? entry.product}: ${entry.title[lang]}`;
      return {
        value: id,
        action: { type: ActionTypes.ImBack, title, value: product?.[lang] ?? title },
        synonyms: [title, ...(product ? [product.zh, product.en, ...(product.synonyms?.zh ?? []), ...(product.synonyms?.en ?? [])] : [])],
      };
    });
    const meta = { intent: 'clarify', score, candidates, slot: 'product' };
    return step.prompt(PRODUCT_PROMPT, { prompt: reply(message('clarify', lang), meta), retryPrompt: reply(message('clarify', lang), meta), choices, validations: { slot: 'product' } });
  }

  private async choose(step: WaterfallStepContext) {
    const id = step.result as string;
    const profile = await getProfile(this.deps.profile, step.context);
    if (id === UNKNOWN) return this.answerEach(step, profile);
    learn(profile, 'product', this.deps.understanding.kb.byId.get(id)!.product, 'asked');
    return step.endDialog(id);
  }

  /** The user can't tell the product: each candidate's general answer, headed by its product, rather than a guess. */
  private async answerEach(step: WaterfallStepContext, profile: ConversationProfile) {
    const { candidates, score } = step.options as ClarifyOptions;
    const lang = profile.lang ?? 'zh';
    await step.context.sendActivity(reply(message('unknownProduct', lang), { intent: 'clarify', score, candidates }));
    for (const id of candidates) {
      const entry = this.deps.understanding.kb.byId.get(id)!;
      const product = productChoice(entry.product)?.[lang] ?? entry.product;
      const answer = composeAnswer(entry, { lang, today: this.deps.today(), details: profile.details });
      await step.context.sendActivity(reply(`**${product}**\n\n${answer}`, { intent: id, score }));
    }
    return step.endDialog();
  }

  /** A product named in other words still picks its entry; "不知道" or a second miss answers for each candidate. */
  private async validate(pc: PromptValidatorContext<unknown>): Promise<boolean> {
    const candidates = (pc.options.choices ?? []).map((c) => (typeof c === 'string' ? c : c.value));
    let chosen = pc.recognized.succeeded ? (pc.recognized.value as { value: string }).value : undefined;
    if (!chosen) {
      const answer = turnUnderstanding(pc.context)?.reading.answer;
      if (answer === 'unknown') chosen = UNKNOWN;
      else if (answer) chosen = candidates.find((id) => this.deps.understanding.kb.byId.get(id)!.product === answer.value);
    }
    if (!chosen && pc.attemptCount < 2) return false;
    (pc.recognized as { value: unknown }).value = chosen ?? UNKNOWN;
    return true;
  }
}

/** The product's choice in slots.yaml: its labels and synonyms. */
function productChoice(product: string) {
  return slotDeclaration('product').choices?.find((p) => p.value === product);
}
