import * as fs from 'fs';
import Ajv from 'ajv';
import YAML from 'yaml';
import { fromRoot } from '../config/paths';

export interface MessageLimits {
  /** Longest message read; a longer one is told so (messageTooLong) instead of being read in part. */
  messageMaxLength: number;
}

let limits: MessageLimits | undefined;

/** knowledge/limits.yaml, validated against its schema once. */
export function messageLimits(): MessageLimits {
  if (!limits) {
    const data = YAML.parse(fs.readFileSync(fromRoot('knowledge', 'limits.yaml'), 'utf8'));
    const schema = JSON.parse(fs.readFileSync(fromRoot('knowledge', 'schema', 'limits.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    if (!validate(data)) throw new Error(`knowledge/limits.yaml: ${JSON.stringify(validate.errors)}`);
    limits = data as MessageLimits;
  }
  return limits;
}
