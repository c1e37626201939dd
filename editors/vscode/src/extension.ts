// The djust extension: starts `djust lsp` and connects it to Django templates and
// Python files. It adds to the HTML and Python language servers; it does not replace
// them (the server advertises no formatting, rename or HTML features).
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { MANIFEST_GLOB, isDjustProject, resolveBinary } from "./binary";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const command = resolveBinary(vscode.workspace.getConfiguration("djust").get<string>("path"), folders);
  return { command, args: ["lsp"], transport: TransportKind.stdio };
}

function clientOptions(output: vscode.OutputChannel): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: "file", language: "django-html" },
      { scheme: "file", language: "html" },
      { scheme: "file", language: "python" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.py,*.html,*.htm,*.txt,pyproject.toml}"),
    },
    outputChannel: output,
    traceOutputChannel: output,
  };
}

async function start(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<void> {
  client = new LanguageClient("djust", "djust", serverOptions(), clientOptions(output));
  try {
    await client.start();
  } catch (err) {
    const message = `djust: could not start \`djust lsp\` (${err}). Install djust in the project's virtualenv or set "djust.path".`;
    const choice = await vscode.window.showErrorMessage(message, "Show output");
    if (choice) {
      output.show();
    }
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

/** Whether the open workspace is a djust project (or the user pointed at a binary). */
async function inDjustProject(): Promise<boolean> {
  const config = vscode.workspace.getConfiguration("djust").get<string>("path");
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const binary = resolveBinary(config, folders);
  if ((config ?? "").trim() || binary !== "djust") {
    return true;
  }
  const files = await vscode.workspace.findFiles(MANIFEST_GLOB, "**/{node_modules,.venv,venv,env}/**", 50);
  const texts = await Promise.all(
    files.map(async (f) => Buffer.from(await vscode.workspace.fs.readFile(f)).toString("utf8")),
  );
  return isDjustProject(texts, false);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("djust");
  context.subscriptions.push(output);
  if (!(await inDjustProject())) {
    output.appendLine("djust: no djust project here (no manifest names djust, no djust in a virtualenv); not starting.");
    return;
  }
  context.subscriptions.push(
    vscode.commands.registerCommand("djust.restartServer", async () => {
      await client?.stop();
      await start(context, output);
    }),
  );
  await start(context, output);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
