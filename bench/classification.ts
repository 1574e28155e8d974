import { loadUnderstanding } from '../understanding';

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarize(durationsMs: number[]): LatencySummary {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { samples: sorted.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(sorted[sorted.length - 1]) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Messages of about 60 characters, as users paste them: prompts with words around them, in zh, en and traditional zh. */
const MESSAGES = [
  '您好，我的域名实名认证审核失败了，系统提示证件电子信息核验不合格，电子信息不通过，直接拒绝，请问该怎么处理呢？',
  'Real-name verification failed and it says: Verification rejected due to invalid certificate information. What now?',
  '網域實名認證一直失敗，顯示註冊者證件不清晰/被遮擋，我已經重新拍了好幾次照片了，還是不行，請問要怎麼辦才好？',
  '阿里云APP上传备案资料的时候一直提示非法参数或者产品类型为空，换了手机也不行，这个到底是什么原因导致的？',
  '大鱼号个人账号实名认证的时候提示人脸与身份证头像不一致，请用户本人进行认证，可是明明就是我本人在操作啊',
  'I uploaded my ID photo on the international site and got: the file size must be in the range of 55 KB to 5 MB',
];

/** Classification latency after start-up: warm-up, then many rounds over the messages. */
export function benchClassification(rounds = 2000): LatencySummary & { startupMs: number } {
  const started = performance.now();
  const { classifier } = loadUnderstanding();
  const startupMs = Math.round(performance.now() - started);
  for (let i = 0; i < 200; i++) classifier.classify(MESSAGES[i % MESSAGES.length]);
  const durations: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const text = MESSAGES[i % MESSAGES.length];
    const t0 = performance.now();
    classifier.classify(text);
    durations.push(performance.now() - t0);
  }
  return { ...summarize(durations), startupMs };
}
