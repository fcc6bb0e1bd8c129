# The nodes of a local network: their homes, `eichub run` daemons (killed with this script, even
# by SIGKILL: PR_SET_PDEATHSIG), CLI commands, HTTP reads and process figures from /proc.
import concurrent.futures
import ctypes
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

PR_SET_PDEATHSIG = 1
START_TIMEOUT_S = 30  # a daemon writes daemon.json once it listens
HTTP_TIMEOUT_S = 10
CLI_WORKERS = 4  # CLI processes at once while setting up (each is ~40 ms of CPU)
API_TOKEN = "network-benchmark-token-0123456789"

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _die_with_parent():
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def free_ports(count, first):
    """count TCP ports on 127.0.0.1 that bind now, from first up (keep first + count below
    32768, the ephemeral range that tests' wildcard binds use)."""
    last = first + count + 1000
    ports = []
    port = first
    while len(ports) < count and port < last:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                ports.append(port)
            except OSError:
                pass
        port += 1
    if len(ports) < count:
        raise RuntimeError(f"only {len(ports)} free ports in {first}-{last}")
    return ports


class CliError(RuntimeError):
    pass


class Node:
    reload_fallbacks = 0  # peer changes a daemon did not take over its control socket

    def __init__(self, eichub, root, index, name, region, sector, port):
        self.eichub = eichub
        self.index = index
        self.home = os.path.join(root, name)
        self.name = name
        self.region = region
        self.sector = sector
        self.port = port
        self.proc = None
        self.http = None  # host:port from daemon.json
        self.card = None
        self.node_id = None

    def cli(self, *args, check=True):
        cmd = [self.eichub] + list(args) + ["--home", self.home]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise CliError(f"eichub {' '.join(args[:2])} on {self.name}: {r.stderr.strip()}")
        if "did not reload" in r.stderr and self.running():
            # The control request timed out (1 s) on a busy machine and was dropped: SIGHUP
            # reloads the same way, through the daemon's signalfd.
            Node.reload_fallbacks += 1
            self.proc.send_signal(signal.SIGHUP)
        return r.stdout

    def init(self, network, authority=False):
        listen = f"tcp://127.0.0.1:{self.port}"
        if authority:
            self.cli("authority", "init", "--name", self.name, "--network", network,
                     "--listen", listen)
        else:
            self.cli("init", "--name", self.name, "--region", self.region, "--sector", self.sector,
                     "--network", network, "--listen", listen, "--http", "127.0.0.1:0")
        self.edit_config(self._http_listen_line(), 'listen = "127.0.0.1:0"')
        self.edit_config('api_token = ""', f'api_token = "{API_TOKEN}"')
        self.card = self.cli("id").strip()
        self.node_id = self.card.split(":")[2] if self.card.count(":") >= 2 else None
        if not self.node_id or len(self.node_id) != 64:
            raise CliError(f"unexpected card from {self.name}: {self.card}")

    def _http_listen_line(self):
        with open(os.path.join(self.home, "config.toml")) as f:
            in_http = False
            for line in f:
                if line.startswith("["):
                    in_http = line.strip() == "[http]"
                elif in_http and line.startswith("listen ="):
                    return line.rstrip("\n")
        raise CliError(f"no [http] listen in {self.home}/config.toml")

    def edit_config(self, old, new):
        path = os.path.join(self.home, "config.toml")
        with open(path) as f:
            text = f.read()
        if old not in text:
            raise CliError(f"{path}: no {old!r}")
        with open(path + ".tmp", "w") as f:
            f.write(text.replace(old, new, 1))
        os.chmod(path + ".tmp", 0o600)
        os.replace(path + ".tmp", path)

    def start(self):
        run_file = os.path.join(self.home, "daemon.json")
        if os.path.exists(run_file):
            os.remove(run_file)
        log = open(self.home + ".log", "ab")
        self.proc = subprocess.Popen([self.eichub, "run", "--home", self.home], stdout=log,
                                     stderr=log, stdin=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent)
        log.close()

    def wait_started(self):
        run_file = os.path.join(self.home, "daemon.json")
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise CliError(f"{self.name} exited ({self.proc.returncode}); see {self.home}.log")
            try:
                with open(run_file) as f:
                    self.http = json.load(f)["http"]
                return
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        raise CliError(f"{self.name} did not start in {START_TIMEOUT_S} s; see {self.home}.log")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        if self.running():
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def get(self, path):
        with urllib.request.urlopen(f"http://{self.http}{path}", timeout=HTTP_TIMEOUT_S) as r:
            return r.read().decode()

    def get_json(self, path):
        return json.loads(self.get(path))

    def post_publish(self, jsonl):
        req = urllib.request.Request(f"http://{self.http}/api/v1/publish", data=jsonl.encode(),
                                     headers={"Authorization": f"Bearer {API_TOKEN}"},
                                     method="POST")
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as r:
            return json.loads(r.read().decode())

    def feeds(self):
        """author -> (seq, head hash) of the feeds this node holds."""
        return {f["author"]: (f["seq"], f.get("head", "")) for f in self.get_json("/api/v1/feeds")
                ["feeds"] if f["seq"] > 0}

    def metrics(self):
        """The counters of /metrics: name{labels} -> value."""
        out = {}
        for line in self.get("/metrics").splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.rpartition(" ")
                try:
                    out[key] = float(value)
                except ValueError:
                    pass
        return out

    def cpu_ticks(self):
        """utime + stime of the daemon in clock ticks (/proc/<pid>/stat fields 14 and 15)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def rss_kb(self, field="VmRSS"):
        """VmRSS, or RssAnon: the part not shared with other daemons (libraries, the binary)
        nor the store's page cache."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0


def parallel(fn, items, workers=CLI_WORKERS):
    """fn over items with a few workers; re-raises the first error."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def kill_all(nodes):
    for node in nodes:
        if node.running():
            node.proc.send_signal(signal.SIGTERM)
    deadline = time.time() + 10
    for node in nodes:
        if node.proc is None:
            continue
        try:
            node.proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            node.proc.kill()
            node.proc.wait()
        node.proc = None
