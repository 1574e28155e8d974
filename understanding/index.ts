import { loadKnowledgeBase, type KnowledgeBase } from '../kb/knowledgeBase';
import { Classifier } from './classifier';
import { loadClassifierModel, type ModelOrigin } from './modelCache';

export interface Understanding {
  kb: KnowledgeBase;
  classifier: Classifier;
  /** Whether the classifier's model came from the cache or was built at this start, and why. */
  model: ModelOrigin;
}

let shared: Understanding | undefined;

/** The knowledge base and its classifier, loaded once per process (the model from its cache; see modelCache.ts). */
export function loadUnderstanding(): Understanding {
  if (!shared) {
    const kb = loadKnowledgeBase();
    const { model, ...origin } = loadClassifierModel(kb);
    shared = { kb, classifier: new Classifier(kb, model), model: origin };
  }
  return shared;
}
