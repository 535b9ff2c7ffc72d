import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workbench, repoRoot } from './support/workbench';
import { installExtension } from '../integration/driver/codeServer';
import { expectStepMedia, expectWalkthrough, walkthroughPage } from './support/walkthrough';

/** The welcome content of the Checkpoint Stores view (shown while no store is configured). */
async function expectWelcome(bench: Workbench): Promise<void> {
  await bench.openContainer('Flink Checkpoints');
  const welcome = bench.page.locator('.part.sidebar .welcome-view-content');
  await welcome.filter({ hasText: 'No checkpoint stores yet' }).waitFor({ timeout: 60_000 });
  await welcome.locator('.monaco-button').filter({ hasText: 'Add Store…' }).waitFor();
}

describe('UI: the extension in the workbench', function () {
  this.timeout(300_000);

  describe('loaded for development', () => {
    let bench: Workbench;
    before(async () => {
      bench = await Workbench.open();
    });
    after(async () => bench?.close());

    it('opens the Flink Checkpoints container with the welcome view and its Add Store… button', async () => {
      await expectWelcome(bench);
      await bench.screenshot('welcome');
    });

    it('runs Show Log from the command palette and shows the output channel', async () => {
      await bench.runCommand('Flink Checkpoints: Show Log');
      const output = bench.page.locator('.part.panel .monaco-editor .view-lines');
      await output.filter({ hasText: 'Activated in' }).waitFor({ timeout: 30_000 });
      await bench.screenshot('show-log');
    });

    it('starts Add Store… from the welcome button with a choice of store kinds', async () => {
      await bench.page
        .locator('.part.sidebar .welcome-view-content .monaco-button')
        .filter({ hasText: 'Add Store…' })
        .click();
      const kinds = bench.page.locator('.quick-input-widget .monaco-list-row');
      for (const kind of ['Local, NFS or Kubernetes volume', 'FTP', 'FTPS', 'HDFS over WebHDFS']) {
        await kinds.filter({ hasText: kind }).first().waitFor();
      }
      await bench.page.keyboard.press('Escape');
    });
  });

  describe('installed from the .vsix', () => {
    let bench: Workbench;
    let scratch: string | undefined;
    before(async () => {
      execFileSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: 'ignore' });
      const vsix = path.join(repoRoot, 'dist', 'flink-checkpoints.vsix');
      assert.ok(fs.existsSync(vsix), 'npm run package made the .vsix');
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-install-'));
      const extensionsDir = path.join(scratch, 'extensions');
      const output = await installExtension(vsix, extensionsDir, path.join(scratch, 'user-data'));
      assert.match(output, /successfully installed/i);
      bench = await Workbench.open({
        extensionDevelopmentPath: false,
        extensionsDir,
        // The walkthrough shows a step's media only beside the steps, which the newer workbench's chat bar leaves no room for.
        settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      });
    });
    after(async () => {
      await bench?.close();
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it('shows the Checkpoint Stores view', async () => {
      await expectWelcome(bench);
      await bench.screenshot('installed-from-vsix');
    });

    it('opens the Get Started walkthrough on its first activation, with the media the package carries', async function () {
      const [major, minor] = bench.server.host.vscode.split('.').map(Number);
      if (major === 1 && minor < 139) {
        // See src/views/walkthrough.ts: 1.100 shows its own walkthrough when asked at activation, so none is opened.
        console.log(
          `      (skipped: VS Code ${bench.server.host.vscode} is not asked to open the walkthrough at activation)`,
        );
        this.skip();
      }
      await expectWalkthrough(bench);
      await walkthroughPage(bench)
        .locator('.getting-started-step .step-title')
        .filter({ hasText: 'Restore a job' })
        .click();
      await expectStepMedia(bench, 'Restore a job from a snapshot');
      await bench.screenshot('installed-from-vsix-walkthrough');
    });
  });
});
