/**
 * A real Kubernetes control plane for tests and local development: etcd, kube-apiserver and
 * kube-controller-manager on free loopback ports, in a temporary folder that `stop()` removes.
 *
 * kube-apiserver authorizes with RBAC and authenticates static bearer tokens (one per user below)
 * and ServiceAccount tokens, whose issuer and signing keys are generated here so that the
 * TokenRequest API works. It writes an audit log (metadata level, one JSON event per line), from
 * which tests count the requests that the operator really sent.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request } from 'node:https';
import { freePort, startProcess, stopProcess, type ManagedProcess } from './processes.ts';
import { auditPolicy } from './audit.ts';
import { kubeconfigFor } from './kubeconfig.ts';

/** How long a component may take to report ready. */
const READY_TIMEOUT_MS = 120_000;

/** A user that the control plane authenticates by a static bearer token. */
export interface StaticUser {
  readonly name: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly token: string;
}

/** Options of `ControlPlane.start`. */
export interface ControlPlaneOptions {
  /** Folder with the four binaries. Default: the `KUBEBUILDER_ASSETS` environment variable. */
  binDir?: string;
  /** Keep the folder after `stop()`, for debugging. Default: false. */
  keepFolder?: boolean;
  /** Cancels the start-up: `start` then stops what it started, removes the folder and throws. */
  signal?: AbortSignal;
  /**
   * Start every process in a process group of its own, so that a terminal's Ctrl-C reaches only
   * the caller, which then stops them in order with `stop()`. Default: false.
   */
  detached?: boolean;
  /**
   * Extra kube-apiserver flags, after the defaults, such as `--watch-cache=false` for a test that
   * needs watches served from etcd. They also apply when the API server restarts. Default: none.
   */
  apiServerArgs?: readonly string[];
}

/**
 * The users that every control plane authenticates: an administrator, the operator under test, and the
 * controller manager, whose requests the audit policy leaves out.
 */
function staticUsers(): Record<'admin' | 'operator' | 'controllerManager', StaticUser> {
  const token = (): string => randomBytes(24).toString('hex');
  return {
    admin: { name: 'admin', uid: 'admin', groups: ['system:masters'], token: token() },
    operator: {
      name: 'metadata-operator',
      uid: 'metadata-operator',
      groups: ['system:masters'],
      token: token(),
    },
    controllerManager: {
      name: 'system:kube-controller-manager',
      uid: 'kube-controller-manager',
      groups: ['system:masters'],
      token: token(),
    },
  };
}

/** What a test needs to reach a control plane, also from another process. */
export interface ControlPlaneInfo {
  readonly dir: string;
  readonly server: string;
  readonly adminKubeconfig: string;
  readonly operatorKubeconfig: string;
  readonly auditLogPath: string;
  readonly binDir: string;
}

/** A running control plane. */
export class ControlPlane implements ControlPlaneInfo {
  readonly dir: string;
  readonly binDir: string;
  readonly apiServerPort: number;
  readonly etcdPort: number;
  private readonly peerPort: number;
  readonly users = staticUsers();
  private readonly keepFolder: boolean;
  private detached = false;
  private extraApiServerArgs: readonly string[] = [];
  private signal?: AbortSignal;
  private etcd?: ManagedProcess;
  private apiServer?: ManagedProcess;
  private controllerManager?: ManagedProcess;

  private constructor(dir: string, binDir: string, ports: number[], keepFolder: boolean) {
    this.dir = dir;
    this.binDir = binDir;
    this.apiServerPort = ports[0] as number;
    this.etcdPort = ports[1] as number;
    this.peerPort = ports[2] as number;
    this.keepFolder = keepFolder;
  }

  /** The kube-apiserver URL. */
  get server(): string {
    return `https://127.0.0.1:${this.apiServerPort}`;
  }

  /** The etcd client URL, for tests that call etcd's maintenance API. */
  get etcdUrl(): string {
    return `http://127.0.0.1:${this.etcdPort}`;
  }

  get auditLogPath(): string {
    return join(this.dir, 'audit.log');
  }

  /** The kubeconfig of the administrator (group system:masters). */
  get adminKubeconfig(): string {
    return join(this.dir, 'admin.kubeconfig');
  }

  /** The kubeconfig of the operator under test; its requests carry the user `metadata-operator`. */
  get operatorKubeconfig(): string {
    return join(this.dir, 'operator.kubeconfig');
  }

  /** The certificate bundle that kube-apiserver serves, to trust in clients. */
  get caPath(): string {
    return join(this.dir, 'apiserver-certs', 'apiserver.crt');
  }

  /** Returns the plain description that other processes read. */
  describe(): ControlPlaneInfo {
    return {
      dir: this.dir,
      server: this.server,
      adminKubeconfig: this.adminKubeconfig,
      operatorKubeconfig: this.operatorKubeconfig,
      auditLogPath: this.auditLogPath,
      binDir: this.binDir,
    };
  }

  /** Starts etcd, kube-apiserver and kube-controller-manager and waits until all are ready. */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const binDir = options.binDir ?? process.env.KUBEBUILDER_ASSETS;
    if (binDir === undefined || binDir === '') {
      throw new Error('KUBEBUILDER_ASSETS is not set: run the tests with make, which sets it');
    }
    const dir = await mkdtemp(join(tmpdir(), 'metadata-controlplane-'));
    const ports = [await freePort(), await freePort(), await freePort()];
    const plane = new ControlPlane(dir, binDir, ports, options.keepFolder ?? false);
    plane.signal = options.signal;
    plane.detached = options.detached ?? false;
    plane.extraApiServerArgs = options.apiServerArgs ?? [];
    try {
      await plane.writeFiles();
      await plane.startEtcd();
      await plane.startApiServer();
      await plane.writeKubeconfigs();
      plane.startControllerManager();
      options.signal?.throwIfAborted();
    } catch (err) {
      await plane.stop();
      throw err;
    }
    return plane;
  }

  /** Stops every process and removes the folder unless `keepFolder` was set. */
  async stop(): Promise<void> {
    for (const managed of [this.controllerManager, this.apiServer, this.etcd]) {
      if (managed !== undefined) {
        await stopProcess(managed);
      }
    }
    if (!this.keepFolder) {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Stops kube-apiserver; its clients then see refused connections until `startApiServer()`. */
  async stopApiServer(): Promise<void> {
    if (this.apiServer !== undefined) {
      await stopProcess(this.apiServer);
      this.apiServer = undefined;
    }
  }

  /** Starts kube-apiserver on its port with the same flags, and waits until `/readyz` is ok. */
  async startApiServer(): Promise<void> {
    this.apiServer = startProcess(
      'kube-apiserver',
      join(this.binDir, 'kube-apiserver'),
      this.apiServerArgs(),
      join(this.dir, 'kube-apiserver.log'),
      process.env,
      this.detached,
    );
    await this.waitUntilReady(this.apiServer, '/readyz');
  }

  /** Restarts kube-apiserver, which ends every watch and drops every connection. */
  async restartApiServer(): Promise<void> {
    await this.stopApiServer();
    await this.startApiServer();
  }

  private async writeFiles(): Promise<void> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    await writeFile(join(this.dir, 'sa.pub'), publicKey);
    await writeFile(join(this.dir, 'sa.key'), privateKey, { mode: 0o600 });

    const tokens = Object.values(this.users)
      .map((user) => `${user.token},${user.name},${user.uid},"${user.groups.join(',')}"`)
      .join('\n');
    await writeFile(join(this.dir, 'tokens.csv'), `${tokens}\n`, { mode: 0o600 });
    await writeFile(join(this.dir, 'audit-policy.json'), JSON.stringify(auditPolicy()));
  }

  private async startEtcd(): Promise<void> {
    const client = `http://127.0.0.1:${this.etcdPort}`;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.etcd = startProcess(
      'etcd',
      join(this.binDir, 'etcd'),
      [
        `--data-dir=${join(this.dir, 'etcd')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        // Test data is thrown away, so durability is not worth the fsync latency.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      join(this.dir, 'etcd.log'),
      process.env,
      this.detached,
    );
    await this.waitUntilReady(this.etcd, '/health', client);
  }

  private apiServerArgs(): string[] {
    return [
      `--etcd-servers=http://127.0.0.1:${this.etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The endpoint reconciler rejects loopback addresses, and no Pod needs the kubernetes Service.
      '--endpoint-reconciler-type=none',
      `--secure-port=${this.apiServerPort}`,
      `--cert-dir=${join(this.dir, 'apiserver-certs')}`,
      '--service-cluster-ip-range=10.96.0.0/24',
      '--authorization-mode=RBAC',
      `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(this.dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(this.dir, 'sa.key')}`,
      `--audit-policy-file=${join(this.dir, 'audit-policy.json')}`,
      `--audit-log-path=${this.auditLogPath}`,
      '--audit-log-format=json',
      '--audit-log-mode=blocking',
      '--profiling=false',
      '--v=1',
      ...this.extraApiServerArgs,
    ];
  }

  private startControllerManager(): void {
    this.controllerManager = startProcess(
      'kube-controller-manager',
      join(this.binDir, 'kube-controller-manager'),
      [
        `--kubeconfig=${join(this.dir, 'controller-manager.kubeconfig')}`,
        '--leader-elect=false',
        '--secure-port=0',
        // Namespace deletion and garbage collection are what tests rely on; the service account
        // controller creates each namespace's `default` ServiceAccount.
        '--controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller',
        '--v=1',
      ],
      join(this.dir, 'kube-controller-manager.log'),
      process.env,
      this.detached,
    );
  }

  private async writeKubeconfigs(): Promise<void> {
    const ca = await readFile(this.caPath);
    const { admin, operator, controllerManager } = this.users;
    const files: [string, StaticUser][] = [
      [this.adminKubeconfig, admin],
      [this.operatorKubeconfig, operator],
      [join(this.dir, 'controller-manager.kubeconfig'), controllerManager],
    ];
    for (const [path, user] of files) {
      await writeFile(path, kubeconfigFor(this.server, ca, user), { mode: 0o600 });
    }
  }

  private async waitUntilReady(
    managed: ManagedProcess,
    path: string,
    base?: string,
  ): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      this.signal?.throwIfAborted();
      if (managed.child.exitCode !== null) {
        const log = await readFile(managed.logPath, 'utf8').catch(() => '');
        throw new Error(
          `${managed.name} exited with code ${managed.child.exitCode}:\n${log.slice(-4000)}`,
        );
      }
      if ((await this.probe(path, base)) === 200) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${managed.name} did not report ready on ${path} within ${READY_TIMEOUT_MS} ms`,
        );
      }
      await delay(200);
    }
  }

  /** Returns the status code of a GET, or 0 when the connection failed. */
  private async probe(path: string, base = this.server): Promise<number> {
    if (base.startsWith('http:')) {
      return fetch(`${base}${path}`).then(
        (r) => r.status,
        () => 0,
      );
    }
    return new Promise((resolve) => {
      // The serving certificate does not exist before kube-apiserver starts, so readiness is
      // probed without verifying it; clients use the kubeconfig, which trusts it.
      const agent = new Agent({ rejectUnauthorized: false });
      const req = request(`${base}${path}`, {
        agent,
        headers: { authorization: `Bearer ${this.users.admin.token}` },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.end();
    });
  }
}
