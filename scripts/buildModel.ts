// postbuild: builds the classifier model into its cache (see understanding/modelCache.ts), so that a start loads it.
import { loadUnderstanding } from '../understanding';

const { model } = loadUnderstanding();
console.log(`classifier model ${model.origin === 'cache' ? 'up to date' : `built (${model.reason})`}: ${model.file}`);
if (model.saveError) {
  console.error(`could not save the model: ${model.saveError}`);
  process.exitCode = 1;
}
