/**
 * Start real `jupyter server` processes (the Python of this checkout's .venv, or $WELLML_PYTHON)
 * for the model's tests: one as configured by default, and one that holds no notebooks, so
 * every incremental request is answered 409. Their URLs and tokens, the main server's root
 * folder and the Python they run are provided to the tests.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const venv = path.resolve(here, '..', '..', '.venv', 'bin', 'python');
const PYTHON = process.env.WELLML_PYTHON || (existsSync(venv) ? venv : 'python3');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function start(extra) {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const root = mkdtempSync(path.join(tmpdir(), 'wellml-vitest-'));
  const args = [
    '-m',
    'jupyter_server',
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    '--ServerApp.open_browser=False',
    `--ServerApp.root_dir=${root}`,
    `--IdentityProvider.token=${token}`,
    '--ServerApp.jpserver_extensions={"jupyter_wellml": True}',
    '--WellMLExtension.review_workers=1',
    ...extra
  ];
  if (process.getuid && process.getuid() === 0) {
    args.push('--allow-root');
  }
  const env = { ...process.env, JUPYTER_RUNTIME_DIR: path.join(root, '.runtime') };
  const proc = spawn(PYTHON, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', chunk => (log = (log + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const r = await fetch(`${url}api/wellml/info`, {
        headers: { Authorization: `token ${token}` }
      });
      if (r.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill();
      throw new Error(`jupyter server did not start (${PYTHON}):\n${log}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return { url, token, root, proc };
}

let servers = [];

export default async function setup(project) {
  const [main, forgetful] = await Promise.all([
    start([]),
    start(['--WellMLExtension.notebooks_held_bytes=0'])
  ]);
  servers = [main, forgetful];
  project.provide('server', { url: main.url, token: main.token });
  project.provide('forgetful', { url: forgetful.url, token: forgetful.token });
  project.provide('root', main.root);
  project.provide('python', PYTHON);
  return async () => {
    for (const s of servers) {
      s.proc.kill('SIGTERM');
      rmSync(s.root, { recursive: true, force: true });
    }
  };
}
