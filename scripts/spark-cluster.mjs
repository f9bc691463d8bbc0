#!/usr/bin/env node
/**
 * A real Spark cluster on loopback for the Spark Connect tests, started as a user's would be:
 * a standalone master, two one-core workers and the Spark Connect server, from pyspark 4.0.1
 * installed with pip into a cached virtual environment under .cache/. The server requires a
 * bearer token (spark.connect.authenticate.token), new at each start: the URL that carries it is
 * printed and kept in .cache/spark-cluster/remote.
 *
 *   node scripts/spark-cluster.mjs test [vitest args]   install, start, run test/spark, stop
 *   node scripts/spark-cluster.mjs start | stop          keep a cluster up between runs
 *
 * Every process is stopped by its process id, also when a test fails or the run is interrupted.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = join(REPO, ".cache");
const VENV = join(CACHE, "spark-venv");
const STATE = join(CACHE, "spark-cluster");
const PIDS = join(STATE, "pids.json");
/** The running cluster's sc:// URL, with the token its Connect server requires. */
const REMOTE_FILE = join(STATE, "remote");
const PYSPARK_VERSION = "4.0.1";
const HOST = "127.0.0.1";
const CONNECT_PORT = 15002;
const MASTER = `spark://${HOST}:7077`;

function log(msg) {
  process.stderr.write(`spark-cluster: ${msg}\n`);
}

/** pyspark's folder in the venv: it is a complete Spark distribution (bin/, jars/). */
function sparkHome() {
  const py = join(VENV, "bin", "python");
  const r = spawnSync(py, ["-c", "import pyspark, os; print(os.path.dirname(pyspark.__file__) + ' ' + pyspark.__version__)"], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  const [home, version] = r.stdout.trim().split(" ");
  return version === PYSPARK_VERSION ? home : undefined;
}

export function ensureSpark() {
  let home = existsSync(VENV) ? sparkHome() : undefined;
  if (home) return home;
  log(`installing pyspark[connect]==${PYSPARK_VERSION} into ${VENV} (about 850 MB, once)`);
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync(join(VENV, "bin", "python"))) run("python3", ["-m", "venv", VENV]);
  run(join(VENV, "bin", "pip"), ["install", "--quiet", `pyspark[connect]==${PYSPARK_VERSION}`]);
  home = sparkHome();
  if (!home) throw new Error("pyspark did not install");
  return home;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status})`);
}

function waitForPort(port, timeoutMs, isAlive) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePort, reject) => {
    const attempt = () => {
      const socket = connect({ host: HOST, port });
      socket.once("connect", () => {
        socket.destroy();
        resolvePort();
      });
      socket.once("error", () => {
        socket.destroy();
        if (!isAlive()) reject(new Error(`the process for port ${port} exited; see ${STATE}/*.log`));
        else if (Date.now() > deadline) reject(new Error(`nothing listens on ${HOST}:${port} after ${timeoutMs / 1000} s; see ${STATE}/*.log`));
        else setTimeout(attempt, 500);
      });
    };
    attempt();
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startCluster() {
  const home = ensureSpark();
  if (existsSync(PIDS)) await stopCluster();
  mkdirSync(STATE, { recursive: true });
  const env = {
    ...process.env,
    SPARK_HOME: home,
    SPARK_LOCAL_IP: HOST,
    SPARK_LOG_DIR: STATE,
    SPARK_WORKER_DIR: join(STATE, "work"),
    SPARK_DAEMON_MEMORY: "512m",
    PYSPARK_PYTHON: join(VENV, "bin", "python"),
  };
  const pids = [];
  const launch = (name, processEnv, args) => {
    const out = openSync(join(STATE, `${name}.log`), "w");
    const child = spawn(join(home, "bin", "spark-class"), args, { env: processEnv, stdio: ["ignore", out, out], detached: true });
    child.unref();
    pids.push({ name, pid: child.pid });
    writeFileSync(PIDS, JSON.stringify(pids));
    return child.pid;
  };
  try {
    const master = launch("master", env, ["org.apache.spark.deploy.master.Master", "--host", HOST, "--port", "7077", "--webui-port", "18080"]);
    await waitForPort(7077, 60_000, () => alive(master));
    for (const n of [1, 2]) {
      launch(`worker-${n}`, env, ["org.apache.spark.deploy.worker.Worker", "--cores", "1", "--memory", "1g", "--host", HOST, "--webui-port", String(18080 + n), MASTER]);
    }
    const token = randomBytes(16).toString("hex");
    // In the environment, not on the command line, where any user's `ps` would show it.
    const server = launch("connect-server", { ...env, SPARK_CONNECT_AUTHENTICATE_TOKEN: token }, [
      "org.apache.spark.deploy.SparkSubmit",
      "--class",
      "org.apache.spark.sql.connect.service.SparkConnectServer",
      "--conf",
      `spark.connect.grpc.binding.address=${HOST}`,
      "--conf",
      `spark.connect.grpc.binding.port=${CONNECT_PORT}`,
      "--conf",
      "spark.executor.memory=512m",
      "--conf",
      "spark.driver.memory=1g",
      "--conf",
      "spark.ui.enabled=false",
      // Two one-core workers: Spark's default of 200 shuffle partitions would be 200 tiny tasks per exchange.
      "--conf",
      "spark.sql.shuffle.partitions=4",
      "--master",
      MASTER,
      "spark-internal",
    ]);
    await waitForPort(CONNECT_PORT, 120_000, () => alive(server));
    const remote = `sc://${HOST}:${CONNECT_PORT}/;use_ssl=false;token=${token}`;
    writeFileSync(REMOTE_FILE, `${remote}\n`, { mode: 0o600 });
    log(`master, 2 workers and Spark Connect on ${remote} (pids ${pids.map((p) => p.pid).join(" ")})`);
    return remote;
  } catch (e) {
    await stopCluster();
    throw e;
  }
}

export async function stopCluster() {
  if (!existsSync(PIDS)) return;
  const pids = JSON.parse(readFileSync(PIDS, "utf8"));
  // The server first, so it does not see its workers vanish mid-job; each by its own pid.
  for (const { pid } of [...pids].reverse()) {
    if (alive(pid)) process.kill(pid, "SIGTERM");
  }
  const deadline = Date.now() + 15_000;
  for (const { pid } of pids) {
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  rmSync(PIDS, { force: true });
  rmSync(REMOTE_FILE, { force: true });
  log("stopped");
}

async function test(args) {
  const remote = await startCluster();
  let code = 1;
  const stop = () => {
    stopCluster().finally(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const vitest = spawn(process.execPath, [join(REPO, "node_modules", "vitest", "vitest.mjs"), "run", "--config", "vitest.spark.config.ts", ...args], {
      cwd: REPO,
      stdio: "inherit",
      env: { ...process.env, TSDF_TEST_SPARK_REMOTE: remote, TSDF_TEST_SPARK_HOME: ensureSpark() },
    });
    code = await new Promise((r) => vitest.once("exit", (c) => r(c ?? 1)));
  } finally {
    await stopCluster();
  }
  process.exit(code);
}

const [command = "test", ...rest] = process.argv.slice(2);
if (command === "test") await test(rest);
else if (command === "start") await startCluster();
else if (command === "stop") await stopCluster();
else if (command === "install") log(`pyspark ${PYSPARK_VERSION} at ${ensureSpark()}`);
else {
  log(`unknown command '${command}': test | start | stop | install`);
  process.exit(2);
}
