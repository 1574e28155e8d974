// The baseline of `npm run bench`: a bare botbuilder echo bot behind the same HTTP stack as the bot (express, CloudAdapter),
// compiled with the project and started as `node dist/bench/echoBot.js`, as the bot is.
import express from 'express';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new ActivityHandler();
bot.onMessage(async (context, next) => {
  await context.sendActivity({ type: 'message', text: `echo: ${context.activity.text}`, channelData: { intent: 'echo', score: 1 } });
  await next();
});

const app = express();
app.post('/api/messages', express.json({ limit: '1mb' }), (req, res, next) => {
  adapter.process(req, res, (context) => bot.run(context)).catch(next);
});
const server = app.listen(Number(process.env.PORT ?? 3979));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
