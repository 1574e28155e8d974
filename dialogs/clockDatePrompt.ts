import type { TurnContext } from 'botbuilder';
import { DateTimePrompt, type DateTimeResolution, type PromptRecognizerResult, type PromptValidator } from 'botbuilder-dialogs';
import { datePhrase, recognizeDates } from '../understanding/details';

/**
 * DateTimePrompt reading relative dates (三天前, last Friday) against the bot's clock: support runs on China time,
 * while the stock prompt takes the server's local date (UTC here) and cannot be given a fixed clock in tests.
 * It also offers every date the recognizer finds, not only the first, for the validator to choose from.
 */
export class ClockDatePrompt extends DateTimePrompt {
  constructor(dialogId: string, validator: PromptValidator<DateTimeResolution[]>, private readonly today: () => string) {
    super(dialogId, validator);
  }

  protected async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<DateTimeResolution[]>> {
    const text = context.activity.text;
    if (!text) return { succeeded: false };
    const locale = context.activity.locale || this.defaultLocale || 'en-us';
    const values = recognizeDates(datePhrase(text), locale, this.today()).flatMap(
      (result) => (result.resolution?.values ?? []) as DateTimeResolution[],
    );
    return values.length ? { succeeded: true, value: values } : { succeeded: false };
  }
}
