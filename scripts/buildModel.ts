// postbuild: builds the classifier model into its cache (see understanding/modelCache.ts), and validates the knowledge
// files into theirs (kb/validatedCache.ts), so that a start loads both.
import { facts } from '../answers/facts';
import { loadUnderstanding } from '../understanding';
import { signalLexicon } from '../understanding/signals';
import { slotCatalog } from '../understanding/slots';

const { model } = loadUnderstanding();
slotCatalog();
signalLexicon();
facts();
console.log(`classifier model ${model.origin === 'cache' ? 'up to date' : `built (${model.reason})`}: ${model.file}`);
if (model.saveError) {
  console.error(`could not save the model: ${model.saveError}`);
  process.exitCode = 1;
}
