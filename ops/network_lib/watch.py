# One thread per node long-polls its change feed (GET /api/v1/changes?feed=longpoll), which the
# daemon answers as soon as a batch is applied: when each update reached each node (the node's
# applied_ms), with no polling of the stores. A node that is down is retried until it is back.
import threading
import time
import urllib.error

LONG_POLL_MS = 20_000
CHANGES_PER_ANSWER = 1000  # the server's most
RETRY_S = 0.2


class Watch:
    def __init__(self):
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.heads = {}    # node index -> {author: highest feed seq applied}
        self.arrived = {}  # (node index, record id) -> time.monotonic() it was applied there
        self.threads = []
        self.stopping = False

    def add(self, node):
        with self.lock:
            self.heads.setdefault(node.index, {})
        t = threading.Thread(target=self._follow, args=(node,), daemon=True)
        t.start()
        self.threads.append(t)

    def stop(self):
        self.stopping = True

    def _follow(self, node):
        since = 0
        while not self.stopping:
            if not node.running() or node.http is None:
                time.sleep(RETRY_S)
                continue
            try:
                answer = node.get_json(f"/api/v1/changes?since={since}&limit={CHANGES_PER_ANSWER}"
                                       f"&feed=longpoll&timeout={LONG_POLL_MS}")
            except (OSError, ValueError, urllib.error.URLError):
                time.sleep(RETRY_S)
                continue
            now = time.monotonic()
            # When the node stored each update, by its clock (this machine's), on the monotonic
            # scale the scenario times with: not when this thread, one of hundreds sharing the
            # interpreter, got round to reading the answer.
            wall_to_monotonic = now - time.time()
            with self.lock:
                heads = self.heads[node.index]
                for change in answer["results"]:
                    author = change["author"]
                    heads[author] = max(heads.get(author, 0), change["feed_seq"])
                    applied = change.get("applied_ms")
                    at = now if applied is None else applied / 1000 + wall_to_monotonic
                    self.arrived.setdefault((node.index, change["id"]), at)
                since = answer["last_seq"]
                self.changed.notify_all()

    def union(self, indices):
        """author -> the highest seq any of these nodes applied."""
        with self.lock:
            out = {}
            for i in indices:
                for author, seq in self.heads[i].items():
                    out[author] = max(out.get(author, 0), seq)
            return out

    def holding(self, indices, target):
        """Those of indices whose heads reach target (author -> seq) for every author."""
        with self.lock:
            return [i for i in indices
                    if all(self.heads[i].get(a, 0) >= s for a, s in target.items())]

    def wait(self, predicate, timeout_s):
        """Waits until predicate() (called with the lock released) holds; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            if predicate():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self.lock:
                self.changed.wait(min(left, 0.5))

    def arrival(self, index, record_id):
        with self.lock:
            return self.arrived.get((index, record_id))
