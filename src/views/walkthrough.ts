import * as vscode from 'vscode';

/** The walkthrough's id in package.json (contributes.walkthroughs). */
export const WALKTHROUGH = 'gettingStarted';
const OPENED_KEY = 'walkthrough.opened';
/**
 * The oldest VS Code seen to open an extension's walkthrough when asked at activation: 1.100's web workbench does not
 * find the walkthrough yet ("Could not find category") and shows one of its own instead.
 */
const OPENS_AT_ACTIVATION = [1, 139];

/**
 * Opens the Get Started walkthrough the first time the installed extension activates in a user profile. VS Code opens
 * a walkthrough by itself only for an extension installed from its Extensions view during the session, not for one
 * installed from a .vsix on the command line (`code --install-extension`, npm start). Not while the extension is
 * under development or test, where it would open in every fresh profile.
 */
export function openWalkthroughOnFirstRun(context: vscode.ExtensionContext): void {
  if (context.extensionMode !== vscode.ExtensionMode.Production || context.globalState.get<boolean>(OPENED_KEY)) return;
  const [major, minor] = vscode.version.split('.').map(Number);
  if (major < OPENS_AT_ACTIVATION[0] || (major === OPENS_AT_ACTIVATION[0] && minor < OPENS_AT_ACTIVATION[1])) return;
  void context.globalState.update(OPENED_KEY, true);
  void vscode.commands.executeCommand(
    'workbench.action.openWalkthrough',
    `${context.extension.id}#${WALKTHROUGH}`,
    false,
  );
}
