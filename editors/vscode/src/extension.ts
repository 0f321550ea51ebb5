// VS Code client for mmname-lsp: finds a Python, starts the language server
// over stdio (the one installed in that Python, else the copy bundled in the
// extension), passes the `mmname.*` settings to it and shows in a language
// status item which server runs.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ProgressToken,
  RevealOutputChannelOn,
  ServerOptions,
  WorkDoneProgressBegin,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from 'vscode-languageclient/node';

const SECTION = 'mmname';
const INSTALL_COMMAND = 'pip install mmname-lsp';
const PROBE_TIMEOUT_MS = 30_000;
// The oldest Python the server (and its bundled copy) runs on: pyproject's requires-python.
const MIN_PYTHON: [number, number] = [3, 9];
// The server's work-done progress tokens for indexing start with this.
const INDEX_PROGRESS_PREFIX = 'mmname-index-';

// Every file the server understands: Python files and notebook cells,
// metafiles, model indexes and READMEs (their model tables).
const DOCUMENTS: DocumentSelector = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
  { notebook: 'jupyter-notebook', language: 'python' },
  { scheme: 'file', language: 'yaml', pattern: '**/metafile.{yml,yaml}' },
  { scheme: 'file', language: 'yaml', pattern: '**/model-index.{yml,yaml}' },
  { scheme: 'file', language: 'markdown', pattern: '**/{README,Readme,readme}*.md' },
];

/** How the server is started, and what the status item says about it. */
interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** 'environment': installed in the interpreter; 'bundled': the extension's copy. */
  kind: 'path' | 'environment' | 'bundled';
  /** Where the interpreter or executable came from (for messages). */
  origin: string;
  python?: string[];
  /** The interpreter's own path and version, as it reported them. */
  interpreter?: string;
  pythonVersion?: string;
  serverVersion?: string;
}

/** Why the server could not be started, and what would fix it. */
class CannotStart extends Error {
  constructor(
    message: string,
    readonly python?: string[],
    readonly offerInstall = false,
  ) {
    super(message);
  }
}

/** What `<python> -c PROBE` prints. */
interface Probe {
  version: number[];
  executable: string;
  server?: string;
  error?: string;
}

// Runs on any Python (also 2.x, to report its version): the interpreter's
// version and path, and the installed server's version when it can start.
const PROBE = [
  'import json, sys',
  'r = {"version": list(sys.version_info[:3]), "executable": sys.executable}',
  'try:',
  '    import importlib.util',
  '    import mmname_lsp',
  '    for dep in ("pygls", "lsprotocol", "yaml"):',
  '        if importlib.util.find_spec(dep) is None:',
  '            raise ImportError("No module named %r" % dep)',
  '    r["server"] = getattr(mmname_lsp, "__version__", "")',
  'except Exception as e:',
  '    r["error"] = "%s: %s" % (type(e).__name__, e)',
  'print(json.dumps(r))',
].join('\n');

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.LanguageStatusItem;
let extensionDir = '';
let queue: Promise<void> = Promise.resolve();
let watchingPython = false;
let disposed = false;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  disposed = false;
  extensionDir = context.extensionPath;
  output = vscode.window.createOutputChannel('mmname', { log: true });
  status = vscode.languages.createLanguageStatusItem('mmname.server', statusSelector());
  status.name = 'mmname';
  status.command = { title: 'Show Output', command: 'mmname.showOutput' };
  context.subscriptions.push(
    output,
    status,
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
  showStatus({ text: 'mmname-lsp: starting', busy: true });
  let launch: Launch;
  try {
    launch = await resolveLaunch();
  } catch (err) {
    await cannotStart(err);
    return;
  }
  log(
    `server (${launch.kind}, ${launch.origin}): ${quoteArgs([launch.command, ...launch.args])}` +
      (launch.kind === 'bundled' ? ` with PYTHONPATH=${launch.env.PYTHONPATH}` : ''),
  );
  const serverOptions: ServerOptions = {
    command: launch.command,
    args: launch.args,
    options: { cwd: serverCwd(), env: { ...launch.env, PYTHONUNBUFFERED: '1' } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENTS,
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
      handleWorkDoneProgress: (token, params, next) => {
        indexingProgress(launch, token, params);
        next(token, params);
      },
    },
  };
  // The id 'mmname' makes the client honour the `mmname.trace.server` setting.
  const next = new LanguageClient(SECTION, 'mmname', serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
    const info = next.initializeResult?.serverInfo;
    launch.serverVersion = info?.version ?? launch.serverVersion;
    log(`server started: ${info?.name ?? 'mmname-lsp'} ${launch.serverVersion ?? ''} (${launch.kind})`);
    showRunning(launch);
  } catch (err) {
    if (client === next) {
      client = undefined;
    }
    await cannotStart(
      new CannotStart(`the server did not start: ${describe(err)}`, launch.python, launch.kind !== 'bundled'),
    );
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

// ------------------------------------------------------------ status item

/** The language status item shows for the same documents the server gets. */
function statusSelector(): vscode.DocumentSelector {
  return (DOCUMENTS as Array<Record<string, string>>).map((f) =>
    f.notebook ? { notebookType: f.notebook, language: f.language } : f,
  ) as vscode.DocumentFilter[];
}

function showStatus(fields: {
  text: string;
  detail?: string;
  busy?: boolean;
  severity?: vscode.LanguageStatusSeverity;
}): void {
  status.text = fields.text;
  status.detail = fields.detail;
  status.busy = fields.busy ?? false;
  status.severity = fields.severity ?? vscode.LanguageStatusSeverity.Information;
}

function describeLaunch(launch: Launch): { text: string; detail: string } {
  const version = launch.serverVersion ? ` ${launch.serverVersion}` : '';
  const where =
    launch.kind === 'path'
      ? launch.command
      : `Python ${launch.pythonVersion ?? '?'} ${launch.interpreter ?? launch.command}`;
  return { text: `mmname-lsp${version} (${launch.kind})`, detail: where };
}

function showRunning(launch: Launch, progress?: string, busy = false): void {
  const { text, detail } = describeLaunch(launch);
  showStatus({ text, detail: progress ? `${detail} · ${progress}` : detail, busy });
}

/** The server reports its indexing as work-done progress: mirror it in the status item. */
function indexingProgress(
  launch: Launch,
  token: ProgressToken,
  params: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd,
): void {
  if (!String(token).startsWith(INDEX_PROGRESS_PREFIX)) {
    return;
  }
  if (params.kind === 'end') {
    showRunning(launch, `indexed ${params.message ?? ''}`.trim());
    return;
  }
  const pct = params.percentage !== undefined ? ` ${params.percentage}%` : '';
  const files = params.message ? ` (${params.message})` : '';
  showRunning(launch, `indexing${pct}${files}`, true);
}

// ---------------------------------------------------------------- the command

/**
 * `mmname.server.path`, else a Python: `mmname.server.interpreter`, the Python
 * extension's interpreter, or python3/python on PATH. The server installed
 * in that Python runs when its version matches the bundled copy's; else the
 * bundled copy runs with that Python.
 */
async function resolveLaunch(): Promise<Launch> {
  const config = vscode.workspace.getConfiguration(`${SECTION}.server`);
  const serverPath = expand(config.get<string>('path', '').trim());
  if (serverPath) {
    if (!findExecutable(serverPath)) {
      throw new CannotStart(`the server executable \`${serverPath}\` was not found (mmname.server.path)`);
    }
    return {
      command: serverPath,
      args: ['--stdio'],
      env: { ...process.env },
      kind: 'path',
      origin: 'mmname.server.path',
    };
  }
  const { python, origin, probe } = await findPython(config);
  const version = probe.version.join('.');
  const bundled = bundledServer();
  const base = {
    command: python[0],
    origin,
    python,
    interpreter: probe.executable || python[0],
    pythonVersion: version,
  };
  if (probe.server !== undefined && (!bundled || sameRelease(probe.server, bundled.version))) {
    return {
      ...base,
      args: [...python.slice(1), '-m', 'mmname_lsp', '--stdio'],
      env: { ...process.env },
      kind: 'environment',
      serverVersion: probe.server,
    };
  }
  if (!bundled) {
    throw new CannotStart(
      `mmname-lsp is not installed for \`${quoteArgs(python)}\` (${probe.error ?? 'no server'})`,
      python,
      true,
    );
  }
  if (probe.server !== undefined) {
    log(`${python[0]} has mmname-lsp ${probe.server}; the bundled ${bundled.version} runs instead`);
  }
  const pythonPath = [bundled.libs, process.env.PYTHONPATH].filter((p) => p).join(path.delimiter);
  return {
    ...base,
    args: [...python.slice(1), '-m', 'mmname_lsp', '--stdio'],
    env: { ...process.env, PYTHONPATH: pythonPath },
    kind: 'bundled',
    serverVersion: bundled.version,
  };
}

/** The interpreter to use, and what it says about itself. */
async function findPython(
  config: vscode.WorkspaceConfiguration,
): Promise<{ python: string[]; origin: string; probe: Probe }> {
  const candidates: Array<{ python: string[]; origin: string }> = [];
  const interpreter = expand(config.get<string>('interpreter', '').trim());
  if (interpreter) {
    candidates.push({ python: [interpreter], origin: 'mmname.server.interpreter' });
  } else {
    const fromPython = await pythonExtensionInterpreter();
    if (fromPython) {
      candidates.push({ python: fromPython, origin: "the Python extension's interpreter" });
    }
    const names = process.platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
    for (const name of names) {
      candidates.push({ python: [name], origin: 'PATH' });
    }
  }
  const tried: string[] = [];
  for (const candidate of candidates) {
    const probe = await probePython(candidate.python);
    if (typeof probe === 'string') {
      tried.push(`${quoteArgs(candidate.python)} (${candidate.origin}): ${probe}`);
      continue;
    }
    const [major, minor] = probe.version;
    if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
      tried.push(`${quoteArgs(candidate.python)} (${candidate.origin}) is Python ${probe.version.join('.')}`);
      continue;
    }
    return { ...candidate, probe };
  }
  throw new CannotStart(
    `no Python ${MIN_PYTHON.join('.')} or newer was found (tried: ${tried.join('; ')})`,
  );
}

/**
 * Where the server runs, and the probe too: `python -m` imports from the
 * working folder first, so both must see the same one.
 */
function serverCwd(): string {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder ? folder.uri.fsPath : os.homedir();
}

/** The interpreter's answer to PROBE, or why it gave none. */
async function probePython(python: string[]): Promise<Probe | string> {
  const result = await run(python[0], [...python.slice(1), '-c', PROBE], serverCwd());
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return 'not found';
  }
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const probe = JSON.parse(line) as Probe;
    if (Array.isArray(probe.version)) {
      return probe;
    }
  } catch {
    // not JSON: reported below
  }
  const why = result.stderr.trim().split('\n').pop() || describe(result.error) || line;
  return `did not run (${why})`;
}

/** The server copy shipped in the extension (bundled/libs), when there is one. */
function bundledServer(): { libs: string; version: string } | undefined {
  const libs = path.join(extensionDir, 'bundled', 'libs');
  let names: string[];
  try {
    names = fs.readdirSync(libs);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const m = /^mmname_lsp-(.+)\.dist-info$/.exec(name);
    if (m) {
      return { libs, version: m[1] };
    }
  }
  return undefined;
}

/** Same major.minor (0.x: the same minor): the settings and protocol the extension knows. */
function sameRelease(a: string, b: string): boolean {
  const pa = a.split('.');
  const pb = b.split('.');
  return pa[0] === pb[0] && pa[1] === pb[1];
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
      void restart("the Python extension's interpreter changed");
    }
  });
}

// ------------------------------------------------------------ error messages

async function cannotStart(err: unknown): Promise<void> {
  const problem = err instanceof CannotStart ? err : new CannotStart(describe(err));
  showStatus({
    text: 'mmname-lsp: not running',
    detail: problem.message,
    severity: vscode.LanguageStatusSeverity.Error,
  });
  const python = problem.python;
  const install = python ? `${quoteArgs(python)} -m ${INSTALL_COMMAND}` : INSTALL_COMMAND;
  const message =
    `mmname: ${problem.message}.` +
    (problem.offerInstall
      ? ` Install the server with \`${INSTALL_COMMAND}\`` +
        (python ? ` (for this interpreter: \`${install}\`)` : '') +
        ', or set mmname.server.path / mmname.server.interpreter.'
      : ' Set mmname.server.interpreter to a Python ' + MIN_PYTHON.join('.') + ' or newer, or mmname.server.path.');
  output.error(message);
  const copy = 'Copy install command';
  const showOutput = 'Show output';
  const settings = 'Open settings';
  const buttons = problem.offerInstall ? [copy, showOutput, settings] : [showOutput, settings];
  // Not awaited by the caller's restart queue beyond the choice itself.
  void vscode.window.showErrorMessage(message, ...buttons).then(async (choice) => {
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
  cwd: string,
): Promise<{ error: Error | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: PROBE_TIMEOUT_MS, windowsHide: true },
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
