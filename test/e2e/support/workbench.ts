import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import {
  CodeServer,
  CodeServerOptions,
  launchChromium,
  repoRoot,
  startCodeServer,
} from '../../integration/driver/codeServer';
import { describeHost, loadHost } from '../../integration/driver/host';

export { repoRoot };

/** Screenshots of every flow land here (git-ignored). */
export const resultsDir = path.join(repoRoot, 'test-results');

export interface WorkbenchOptions extends Omit<CodeServerOptions, 'workspace'> {
  /**
   * The extension folder loaded as extensionDevelopmentPath; the repository by default. `false` loads only what the
   * extensions dir holds (e.g. a vsix installed with code-server --install-extension).
   */
  extensionDevelopmentPath?: string | false;
  /** Folder to open as the workspace; a fresh temp folder by default. */
  workspace?: string;
  /** Files to create in the workspace before it opens, by relative path. */
  workspaceFiles?: Record<string, string>;
  /** Workspace settings (.vscode/settings.json of the opened folder). */
  workspaceSettings?: Record<string, unknown>;
}

let announced = false;

/** A real workbench in Chromium, with the helpers UI flows share. Always `close()` it (in `after`/`finally`). */
export class Workbench {
  private constructor(
    readonly server: CodeServer,
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async open(options: WorkbenchOptions = {}): Promise<Workbench> {
    const host = options.host ?? loadHost();
    if (!announced) {
      // Once per run, so a UI tier's log says which VS Code its flows ran in.
      console.log(`      ${describeHost(host)}`);
      announced = true;
    }
    const server = await startCodeServer({ ...options, host });
    let browser: Browser | undefined;
    try {
      for (const [relative, content] of Object.entries(options.workspaceFiles ?? {})) {
        const file = path.join(server.workspace, relative);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
      }
      if (options.workspaceSettings) {
        fs.mkdirSync(path.join(server.workspace, '.vscode'), { recursive: true });
        fs.writeFileSync(
          path.join(server.workspace, '.vscode/settings.json'),
          JSON.stringify(options.workspaceSettings, null, 2),
        );
      }
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const developmentPath = options.extensionDevelopmentPath ?? repoRoot;
      const payload: Array<[string, string]> =
        developmentPath === false ? [] : [['extensionDevelopmentPath', server.remoteUri(developmentPath)]];
      await page.goto(server.workbenchUrl(payload));
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
      return new Workbench(server, browser, page);
    } catch (error) {
      await browser?.close().catch(() => undefined);
      await server.stop();
      throw error;
    }
  }

  /** The activity bar entry of a view container, by its title. */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.part.activitybar .action-label[aria-label="${title}"]`);
  }

  /** Opens a view container from the activity bar (a no-op when it is already open). */
  async openContainer(title: string): Promise<void> {
    const item = this.activityBarItem(title);
    await item.waitFor({ timeout: 30_000 });
    const label = this.page.locator(`.action-label[aria-label="${title}"]`);
    const entry = this.page.locator('.part.activitybar .action-item').filter({ has: label });
    if (!/\bchecked\b/.test((await entry.getAttribute('class')) ?? '')) await item.click();
    await this.page.locator('.part.activitybar .action-item.checked').filter({ has: label }).waitFor();
    await this.page.locator('.part.sidebar').waitFor();
  }

  /** A view in the side bar, by its name: its header and body. */
  view(name: string): Locator {
    return this.page
      .locator('.part.sidebar .pane')
      .filter({ has: this.page.locator(`.pane-header[aria-label="${name} Section"]`) });
  }

  /** Expands a view's pane when it is collapsed (contributed views may start collapsed). */
  async expandView(name: string): Promise<Locator> {
    const header = this.page.locator(`.part.sidebar .pane-header[aria-label="${name} Section"]`);
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    await this.page.locator(`.part.sidebar .pane-header[aria-label="${name} Section"][aria-expanded="true"]`).waitFor();
    return this.view(name);
  }

  /** Collapses a view's pane when it is expanded, leaving the side bar's height to the other views. */
  async collapseView(name: string): Promise<void> {
    const header = this.page.locator(`.part.sidebar .pane-header[aria-label="${name} Section"]`);
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    await this.page
      .locator(`.part.sidebar .pane-header[aria-label="${name} Section"][aria-expanded="false"]`)
      .waitFor();
  }

  /** Runs a view's Collapse All action; it shows in the view's pane header while the pointer is over the pane. */
  async collapseAll(name: string): Promise<void> {
    const header = this.page.locator(`.part.sidebar .pane-header[aria-label="${name} Section"]`);
    await header.hover();
    await header.locator('.action-label[aria-label="Collapse All"]').click();
  }

  /** Opens the Flink Checkpoints container with the Checkpoint Stores view expanded and Clusters collapsed. */
  async showStores(): Promise<void> {
    await this.openContainer('Flink Checkpoints');
    await this.expandView('Checkpoint Stores');
    await this.collapseView('Clusters');
  }

  /** A row of the side bar's trees whose text matches (the first one). */
  treeRow(text: string | RegExp): Locator {
    return this.page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({ hasText: text }).first();
  }

  /** The quick input: the palette, a quick pick or an input box. */
  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** The webview of the active editor: hidden editors keep their iframes in the DOM. */
  activeWebview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');
  }

  /** Opens the tree row's file (a `_metadata` by default) in the inspector and waits for its heading. */
  async openInspector(
    rowText: string | RegExp = '_metadata',
    heading: RegExp = /Checkpoint \d+/,
  ): Promise<FrameLocator> {
    await this.treeRow(rowText).click();
    const frame = this.activeWebview();
    await frame.locator('h1').filter({ hasText: heading }).waitFor({ timeout: 60_000 });
    return frame;
  }

  /** Answers the open quick input whose title matches: types `text` (if any) and accepts the selected item. */
  async answer(title: RegExp, text?: string): Promise<void> {
    await this.quickInput()
      .locator('.quick-input-title, .quick-input-header')
      .filter({ hasText: title })
      .first()
      .waitFor({ timeout: 30_000 });
    const input = this.quickInput().locator('.quick-input-box input');
    if (text !== undefined) await input.fill(text);
    await input.press('Enter');
  }

  /** Expands the tree row whose text matches (unless it is already) and waits until it shows expanded. */
  async expand(text: string | RegExp, timeout = 30_000): Promise<void> {
    const target = this.treeRow(text);
    await target.waitFor({ timeout });
    if ((await target.getAttribute('aria-expanded')) !== 'true') await target.click();
    await this.page
      .locator('.part.sidebar .monaco-list-row[aria-expanded="true"]')
      .filter({ hasText: text })
      .first()
      .waitFor();
  }

  /**
   * Runs a command that goes on in a quick input of its own (so the palette never closes in between); returns when
   * Enter was pressed on it (Date.now()). Keys pressed while a webview has focus stay in the webview, and an editor
   * still opening can take the focus back, closing the palette between the keystroke and the typing: the whole
   * open-type-find step is tried again until the palette shows the command.
   */
  async startCommand(title: string): Promise<number> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('.quick-input-box input');
    const match = widget.locator('.monaco-list-row').filter({ hasText: title }).first();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.page.locator('.part.sidebar .composite.title').click();
        await this.page.keyboard.press('Control+Shift+P');
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        await input.fill(`>${title}`, { timeout: 5_000 });
        await match.waitFor({ timeout: 10_000 });
        break;
      } catch (error) {
        if (attempt === 4) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
    const pressed = Date.now();
    await this.page.keyboard.press('Enter');
    return pressed;
  }

  /**
   * Picks `item` from the context menu of `target` and waits for `then`, what the item shows next (a quick pick, a
   * dialog). A click that lands while the menu still lays itself out is lost, and under load the menu can close
   * without running the item: the whole step is tried again until `then` shows.
   */
  async contextMenu(target: Locator, item: string, then?: Locator): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    const entry = menu.locator('.action-item').filter({ hasText: item }).first();
    for (let attempt = 1; ; attempt++) {
      try {
        await target.click({ button: 'right' });
        await entry.waitFor({ timeout: 10_000 });
        await entry.hover();
        await entry.click();
        if (
          !(await menu.waitFor({ state: 'hidden', timeout: 3_000 }).then(
            () => true,
            () => false,
          ))
        ) {
          await entry.click();
        }
        await menu.waitFor({ state: 'hidden', timeout: 5_000 });
        await then?.waitFor({ timeout: 15_000 });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** Runs a command from the palette by its full title, e.g. "Flink Checkpoints: Show Log". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
    await row.waitFor();
    await input.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** The workspace's and the user's settings.json as one text, to check what a flow saved (and what it never did). */
  settingsText(): string {
    return [
      path.join(this.server.workspace, '.vscode/settings.json'),
      path.join(this.server.userDataDir, 'User/settings.json'),
    ]
      .filter((file) => fs.existsSync(file))
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
  }

  /** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
  }
}
