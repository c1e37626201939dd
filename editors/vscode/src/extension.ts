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
import { resolveBinary } from "./binary";

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

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("djust");
  context.subscriptions.push(output);
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
