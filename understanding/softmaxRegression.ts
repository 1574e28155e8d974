/** A sparse feature vector: parallel arrays of feature indices and their values. */
export interface SparseInput {
  indices: Int32Array;
  values: Float64Array;
}

export interface TrainingOptions {
  epochs: number;
  /** AdaGrad base learning rate. */
  learningRate: number;
  /** L2 penalty per update. */
  l2: number;
  /** Seed of the example order, so that the same knowledge base always gives the same model. */
  seed: number;
}

/**
 * Multinomial logistic regression over sparse features, trained with AdaGrad.
 * Written here because the maintained JavaScript learners are dense (ml-logistic-regression is one-vs-rest over a dense
 * matrix: ~23,000 features × 45 classes × 2,500 phrases) or tokenize text their own way (natural's classifiers), while this
 * model learns from the classifier's own features.
 */
export class SoftmaxRegression {
  /** Weights by class, then feature: class c's weight of feature f is weights[c * featureCount + f]. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;

  /** A model with the given weights (a trained one, loaded), or all zeros to train. */
  constructor(
    readonly classCount: number,
    readonly featureCount: number,
    weights: Float64Array = new Float64Array(classCount * featureCount),
    bias: Float64Array = new Float64Array(classCount),
  ) {
    if (weights.length !== classCount * featureCount || bias.length !== classCount) throw new Error('model weights do not fit its size');
    this.weights = weights;
    this.bias = bias;
  }

  static train(inputs: SparseInput[], labels: number[], classCount: number, featureCount: number, options: TrainingOptions): SoftmaxRegression {
    const model = new SoftmaxRegression(classCount, featureCount);
    const squaredWeights = new Float64Array(model.weights.length).fill(1e-8);
    const squaredBias = new Float64Array(classCount).fill(1e-8);
    const order = inputs.map((_, i) => i);
    const random = mulberry32(options.seed);
    const probabilities = new Float64Array(classCount);
    const { learningRate, l2 } = options;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const n of order) {
        const { indices, values } = inputs[n];
        model.probabilitiesInto(inputs[n], probabilities);
        for (let c = 0; c < classCount; c++) {
          const error = probabilities[c] - (c === labels[n] ? 1 : 0);
          // Classes the model already rules out learn nothing from this example; skipping them is most of the speed.
          if (Math.abs(error) < 1e-4) continue;
          const offset = c * featureCount;
          for (let j = 0; j < indices.length; j++) {
            const k = offset + indices[j];
            const gradient = error * values[j] + l2 * model.weights[k];
            squaredWeights[k] += gradient * gradient;
            model.weights[k] -= (learningRate / Math.sqrt(squaredWeights[k])) * gradient;
          }
          squaredBias[c] += error * error;
          model.bias[c] -= (learningRate / Math.sqrt(squaredBias[c])) * error;
        }
      }
    }
    return model;
  }

  /** Class probabilities of an input. */
  probabilities(input: SparseInput): Float64Array {
    return this.probabilitiesInto(input, new Float64Array(this.classCount));
  }

  /** Class probabilities of the first `length` features of an input (default all), written into out. */
  probabilitiesInto({ indices, values }: SparseInput, out: Float64Array, length = indices.length): Float64Array {
    let max = -Infinity;
    for (let c = 0; c < this.classCount; c++) {
      let z = this.bias[c];
      const offset = c * this.featureCount;
      for (let j = 0; j < length; j++) z += this.weights[offset + indices[j]] * values[j];
      out[c] = z;
      if (z > max) max = z;
    }
    let total = 0;
    for (let c = 0; c < this.classCount; c++) total += out[c] = Math.exp(out[c] - max);
    for (let c = 0; c < this.classCount; c++) out[c] /= total;
    return out;
  }
}

/** A small seeded PRNG (mulberry32): reproducible shuffles without a dependency. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
