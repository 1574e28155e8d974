import { loadKnowledgeBase, type KnowledgeBase } from '../kb/knowledgeBase';
import { Classifier } from './classifier';
import { loadSegmenter } from './segmenter';

export interface Understanding {
  kb: KnowledgeBase;
  classifier: Classifier;
}

let shared: Understanding | undefined;

/** The knowledge base and its classifier, built once per process (start-up cost: dictionaries and the index). */
export function loadUnderstanding(): Understanding {
  if (!shared) {
    loadSegmenter();
    const kb = loadKnowledgeBase();
    shared = { kb, classifier: new Classifier(kb) };
  }
  return shared;
}
