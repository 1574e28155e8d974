import type { TurnContext } from 'botbuilder';
import type { Reading } from '../understanding/reading';
import type { Decision } from './policy';

/** This turn's reading of the message and the policy's decision: in turn state only, never saved. */
export interface TurnUnderstanding {
  reading: Reading;
  decision: Decision;
}

const KEY = Symbol('turnUnderstanding');

export function setTurnUnderstanding(context: TurnContext, turn: TurnUnderstanding): void {
  context.turnState.set(KEY, turn);
}

export function turnUnderstanding(context: TurnContext): TurnUnderstanding | undefined {
  return context.turnState.get(KEY) as TurnUnderstanding | undefined;
}
