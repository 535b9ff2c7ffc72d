import type { Locator } from 'playwright-core';
import type { Workbench } from './workbench';

/** The steps of the Get Started walkthrough (package.json contributes.walkthroughs), in order. */
export const STEPS = [
  'Add a checkpoint store',
  'Open the latest checkpoint',
  'Restore a job',
  'Check a Flink configuration',
];

/** The Get Started walkthrough's page in the editor area. */
export function walkthroughPage(bench: Workbench): Locator {
  return bench.page.locator('.gettingStartedContainer .gettingStartedSlideDetails');
}

/** Waits until the walkthrough shows its four steps, in order. */
export async function expectWalkthrough(bench: Workbench): Promise<void> {
  const titles = walkthroughPage(bench).locator('.getting-started-step .step-title');
  await walkthroughPage(bench)
    .locator('h2.category-title')
    .filter({ hasText: 'Get Started with Flink Checkpoints' })
    .waitFor({ timeout: 60_000 });
  await titles.nth(STEPS.length - 1).waitFor();
  const shown = (await titles.allInnerTexts()).map((t) => t.trim());
  if (JSON.stringify(shown) !== JSON.stringify(STEPS)) throw new Error(`walkthrough steps: ${JSON.stringify(shown)}`);
}

/**
 * Waits for a step's markdown media to show `text`. The workbench renders it in a webview of its own, one frame among
 * those of earlier steps (kept, hidden), so every frame is searched for a visible match.
 */
export async function expectStepMedia(bench: Workbench, text: string, timeout = 30_000): Promise<void> {
  const until = Date.now() + timeout;
  for (;;) {
    for (const frame of bench.page.frames()) {
      const match = frame.locator('h1, p, li').filter({ hasText: text }).first();
      if (await match.isVisible().catch(() => false)) return;
    }
    if (Date.now() > until) throw new Error(`no walkthrough media shows "${text}"`);
    await bench.page.waitForTimeout(250);
  }
}
