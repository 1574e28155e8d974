// npm run teams:package — builds the Teams app package (manifest.json + icons) into teams/build/<name>.zip.
import * as fs from 'fs';
import * as path from 'path';
import JSZip from 'jszip';
import { fromRoot } from '../config/paths';

const TEAMS_DIR = fromRoot('teams');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function buildTeamsPackage(appId: string, outDir = path.join(TEAMS_DIR, 'build')): Promise<string> {
  if (!GUID.test(appId)) throw new Error('MicrosoftAppId must be set to the bot\'s app id (a GUID) to build the Teams package');
  const manifest = fs.readFileSync(path.join(TEAMS_DIR, 'manifest.template.json'), 'utf8').replace(/\{\{MicrosoftAppId\}\}/g, appId);
  JSON.parse(manifest);
  const zip = new JSZip();
  zip.file('manifest.json', manifest);
  for (const icon of ['color.png', 'outline.png']) zip.file(icon, fs.readFileSync(path.join(TEAMS_DIR, icon)));
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'realname-support-bot-teams.zip');
  fs.writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return file;
}

if (require.main === module) {
  buildTeamsPackage(process.env.MicrosoftAppId ?? '')
    .then((file) => console.log(`Teams app package: ${file}`))
    .catch((err: Error) => {
      console.error(err.message);
      process.exitCode = 1;
    });
}
