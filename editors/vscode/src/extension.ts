// VS Code client for mmname-lsp: starts the Python language server over stdio
// and passes the `mmname.*` settings to it.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from 'vscode-languageclient/node';

const SECTION = 'mmname';
const INSTALL_COMMAND = 'pip install mmname-lsp';
const IMPORT_CHECK_TIMEOUT_MS = 30_000;

/** How the server is started, and where that choice came from (for messages). */
interface ServerCommand {
  command: string;
  args: string[];
  origin: string;
  /** The Python command line when the server runs as `<python> -m mmname_lsp`. */
  python?: string[];
}

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let queue: Promise<void> = Promise.resolve();
let watchingPython = false;
let disposed = false;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  disposed = false;
  output = vscode.window.createOutputChannel('mmname', { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('mmname.restartServer', () => restart('restart command')),
    vscode.commands.registerCommand('mmname.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.server`)) {
        void restart('mmname.server settings changed');
      } else if (event.affectsConfiguration(SECTION)) {
        void settingsChanged();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => restart('workspace trusted')),
  );
  await restart('activation');
}

export async function deactivate(): Promise<void> {
  disposed = true;
  await queue;
  await stopClient();
}

/** Restarts are queued, so that two quick setting changes never race. */
function restart(reason: string): Promise<void> {
  queue = queue
    .then(async () => {
      if (disposed) {
        return;
      }
      log(`(re)starting the server: ${reason}`);
      await stopClient();
      await startClient();
    })
    .catch((err) => log(`restart failed: ${describe(err)}`));
  return queue;
}

async function stopClient(): Promise<void> {
  const old = client;
  client = undefined;
  if (!old) {
    return;
  }
  try {
    await old.stop(2000);
  } catch (err) {
    log(`stopping the server: ${describe(err)}`);
  }
  try {
    await old.dispose(2000);
  } catch {
    // already stopped
  }
}

async function startClient(): Promise<void> {
  const server = await resolveServerCommand();
  log(`server command (${server.origin}): ${quoteArgs([server.command, ...server.args])}`);
  if (!(await preflight(server))) {
    return;
  }
  const serverOptions: ServerOptions = {
    command: server.command,
    args: server.args,
    options: { env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
    ],
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // No `synchronize.configurationSection`: settingsChanged() tells the server,
    // except for mmname.server.* changes, which restart it instead.
    middleware: {
      workspace: {
        // The server reads section "mmname"; the client-only keys
        // (mmname.server.*) are not its business.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return result.map((value, i) =>
            params.items[i]?.section === SECTION ? serverSettings(value) : value,
          );
        },
      },
    },
  };
  // The id 'mmname' makes the client honour the `mmname.trace.server` setting.
  const next = new LanguageClient(SECTION, 'mmname', serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
    log('server started');
  } catch (err) {
    if (client === next) {
      client = undefined;
    }
    await notifyCannotStart(server, `the server did not start: ${describe(err)}`);
  }
}

/** Tells the running server that its settings changed; it asks for them again. */
async function settingsChanged(): Promise<void> {
  const running = client;
  if (!running || !running.isRunning()) {
    return;
  }
  const settings = serverSettings(vscode.workspace.getConfiguration().get(SECTION));
  try {
    await running.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: settings },
    });
  } catch (err) {
    log(`could not send the new settings: ${describe(err)}`);
  }
}

function serverSettings(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return value;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete copy.server;
  return copy;
}

// ---------------------------------------------------------------- the command

async function resolveServerCommand(): Promise<ServerCommand> {
  const config = vscode.workspace.getConfiguration(`${SECTION}.server`);
  const serverPath = expand(config.get<string>('path', '').trim());
  if (serverPath) {
    return { command: serverPath, args: ['--stdio'], origin: 'mmname.server.path' };
  }
  const interpreter = expand(config.get<string>('interpreter', '').trim());
  if (interpreter) {
    return pythonCommand([interpreter], 'mmname.server.interpreter');
  }
  const fromPython = await pythonExtensionInterpreter();
  if (fromPython) {
    return pythonCommand(fromPython, 'the Python extension\'s interpreter');
  }
  return pythonCommand([process.platform === 'win32' ? 'python' : 'python3'], 'default');
}

function pythonCommand(python: string[], origin: string): ServerCommand {
  return {
    command: python[0],
    args: [...python.slice(1), '-m', 'mmname_lsp', '--stdio'],
    origin,
    python,
  };
}

/** `~`, `${userHome}` and `${workspaceFolder}` in a path setting. */
function expand(value: string): string {
  if (!value) {
    return value;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  let out = value
    .replace(/\$\{userHome\}/g, os.homedir())
    .replace(/\$\{workspaceFolder\}/g, folder);
  if (out === '~' || out.startsWith('~/')) {
    out = path.join(os.homedir(), out.slice(1));
  }
  return out;
}

/**
 * The interpreter selected in the Python extension (ms-python.python), when it
 * is installed. It is optional: any error here just means "not available".
 */
async function pythonExtensionInterpreter(): Promise<string[] | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) {
    return undefined;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const api: any = ext.isActive ? ext.exports : await ext.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    watchPythonInterpreter(api);
    const environments = api?.environments;
    if (environments?.getActiveEnvironmentPath) {
      const active = environments.getActiveEnvironmentPath(resource);
      const resolved = await environments.resolveEnvironment(active);
      const exe: string | undefined = resolved?.executable?.uri?.fsPath ?? active?.path;
      if (exe) {
        return [exe];
      }
    }
    const details = api?.settings?.getExecutionDetails?.(resource);
    if (Array.isArray(details?.execCommand) && details.execCommand.length > 0) {
      return details.execCommand as string[];
    }
  } catch (err) {
    log(`could not ask the Python extension for its interpreter: ${describe(err)}`);
  }
  return undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function watchPythonInterpreter(api: any): void {
  const event = api?.environments?.onDidChangeActiveEnvironmentPath;
  if (watchingPython || typeof event !== 'function') {
    return;
  }
  watchingPython = true;
  event(() => {
    const config = vscode.workspace.getConfiguration(`${SECTION}.server`);
    if (!config.get<string>('path') && !config.get<string>('interpreter')) {
      void restart('the Python extension\'s interpreter changed');
    }
  });
}

// ------------------------------------------------- checks and error messages

/** Checks that the server can start; tells the user how to fix it when not. */
async function preflight(server: ServerCommand): Promise<boolean> {
  if (server.python) {
    const result = await run(server.python[0], [
      ...server.python.slice(1),
      '-c',
      'import mmname_lsp',
    ]);
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      await notifyCannotStart(server, `the Python interpreter \`${server.command}\` was not found`);
      return false;
    }
    if (result.error) {
      const detail = result.stderr.trim().split('\n').pop() || describe(result.error);
      await notifyCannotStart(
        server,
        `mmname-lsp is not installed for \`${quoteArgs(server.python)}\` (${detail})`,
      );
      return false;
    }
    return true;
  }
  if (!findExecutable(server.command)) {
    await notifyCannotStart(server, `the server executable \`${server.command}\` was not found`);
    return false;
  }
  return true;
}

async function notifyCannotStart(server: ServerCommand, problem: string): Promise<void> {
  const install = server.python
    ? `${quoteArgs(server.python)} -m ${INSTALL_COMMAND}`
    : INSTALL_COMMAND;
  const message =
    `mmname: ${problem}. Install the server with \`${INSTALL_COMMAND}\`` +
    (server.python ? ` (for this interpreter: \`${install}\`)` : '') +
    ', or set mmname.server.path / mmname.server.interpreter.';
  output.error(message);
  const copy = 'Copy install command';
  const showOutput = 'Show output';
  const settings = 'Open settings';
  // Not awaited by the caller's restart queue beyond the choice itself.
  void vscode.window.showErrorMessage(message, copy, showOutput, settings).then(async (choice) => {
    if (choice === copy) {
      await vscode.env.clipboard.writeText(install);
      void vscode.window.showInformationMessage(`Copied: ${install}`);
    } else if (choice === showOutput) {
      output.show(true);
    } else if (choice === settings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'mmname.server');
    }
  });
}

function run(
  command: string,
  args: string[],
): Promise<{ error: Error | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: IMPORT_CHECK_TIMEOUT_MS, windowsHide: true },
      (error, stdout, stderr) => resolve({ error, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

function findExecutable(command: string): string | undefined {
  const candidates: string[] = [];
  if (command.includes('/') || command.includes('\\')) {
    candidates.push(path.resolve(command));
  } else {
    const exts = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      for (const ext of exts) {
        if (dir) {
          candidates.push(path.join(dir, command + ext));
        }
      }
    }
  }
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

function quoteArgs(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/"/g, '\\"')}"`)).join(' ');
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function log(message: string): void {
  output?.info(message);
}
