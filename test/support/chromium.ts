/** Debian's Chromium (Playwright cannot download a browser here), started as the machine allows, and what the editor tests share. */
import type { Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A node drawn in the editor's workspace. */
export const workspaceNode = (id: string): string => `#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`;

/** Cancels the open edit trays, the stacked config one first (it covers the one below). */
export async function closeEditTrays(page: Page): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const cfg = page.locator('#node-config-dialog-cancel');
    const node = page.locator('#node-dialog-cancel');
    const top = (await cfg.isVisible()) ? cfg : (await node.isVisible()) ? node : undefined;
    if (!top) return;
    await top.click({ timeout: 5000 });
    await top.waitFor({ state: 'detached', timeout: 5000 });
  }
}
