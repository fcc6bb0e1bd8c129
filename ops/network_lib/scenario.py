# The fixed scenario of ops/network (issue 19): cold start, single-record publishes by CLI and by
# HTTP, the network cost per update, a late joiner, churn with a partition, and idle figures.
# Each phase returns its figures; a phase that does not converge within the wait limit raises
# Failed.
import os
import time

from . import catalogue, cluster, graph
from .watch import Watch

PUBLISH_GAP_S = 0.3  # between single-record publishes: a few per second
PARTITION_PUBLISH_GAP_S = 1.0  # each side publishes this often while cut off
IDLE_SETTLE_S = 10  # after the last activity, before the idle window opens
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Failed(RuntimeError):
    pass


def _ms(seconds):
    return round(seconds * 1000.0, 1)


class Scenario:
    def __init__(self, net, wait_s, log):
        self.net = net
        self.wait_s = wait_s
        self.log = log
        self.watch = Watch()
        self.acked = {}  # author -> (seq, head hash) its publisher reported after a publish
        self.published = []  # record ids published by the scenario

    def alive(self):
        return [n for n in self.net.nodes() if n.running()]

    def _converged(self, nodes):
        target = self.watch.union([n.index for n in self.net.nodes()])
        return len(self.watch.holding([n.index for n in nodes], target)) == len(nodes)

    def _wait_converged(self, what, nodes=None):
        nodes = nodes or self.alive()
        if not self.watch.wait(lambda: self._converged(nodes), self.wait_s):
            target = self.watch.union([n.index for n in self.net.nodes()])
            behind = [n.name for n in nodes if n.index not in
                      self.watch.holding([n.index], target)]
            raise Failed(f"{what}: {len(behind)} nodes not converged after {self.wait_s} s: "
                         f"{behind[:5]}")

    def metrics_total(self):
        """Sum over running nodes of the sent-message counters, by message type."""
        total = {}
        for node in self.alive():
            for key, value in node.metrics().items():
                if key.startswith(("eichub_messages_sent_total", "eichub_bytes_sent_total",
                                   "eichub_updates_sent_total")):
                    total[key] = total.get(key, 0.0) + value
        return total

    # 1. Cold start: every daemon starts at once with its own store; until all hold the same.
    def cold_start(self):
        t0 = time.monotonic()
        for node in self.net.nodes():
            node.start()
        for node in self.net.nodes():
            node.wait_started()
        started = time.monotonic()
        for node in self.net.nodes():
            self.watch.add(node)
        # Every member's, the authority's and both vendors' feeds.
        authors = len(self.net.members) + 1 + len(self.net.vendors)
        everyone = self.net.nodes()
        done = self.watch.wait(
            lambda: (len(self.watch.union([n.index for n in everyone])) >= authors
                     and self._converged(everyone)), self.wait_s)
        if not done:
            target = self.watch.union([n.index for n in everyone])
            behind = {n.name: sorted(a[:8] for a, seq in target.items()
                                     if self.watch.heads[n.index].get(a, 0) < seq)
                      for n in everyone if n.index not in self.watch.holding([n.index], target)}
            raise Failed(f"cold start: not converged after {self.wait_s} s: {len(target)} of "
                         f"{authors} feeds seen; {len(behind)} nodes behind, the first five "
                         f"with the feeds they lack: {dict(list(behind.items())[:5])}")
        converged = time.monotonic()
        cost = self.metrics_total()
        self.log(f"cold start: {len(everyone)} daemons up in {converged - t0:.1f} s "
                 f"(started {started - t0:.1f} s, converged {converged - started:.1f} s later)")
        return {"start_s": round(started - t0, 2), "converge_s": round(converged - started, 2),
                "total_s": round(converged - t0, 2), "sent": cost}

    def _ack(self, node):
        seq, head = node.feeds().get(node.node_id, (0, ""))
        if seq > self.acked.get(node.node_id, (0, ""))[0]:
            self.acked[node.node_id] = (seq, head)

    def publish_one(self, node, record_id, method):
        record = catalogue.course(record_id, node.region, node.sector, len(self.published),
                                  node.name.lower() + "-academy")
        body = catalogue.lines([record])
        t0 = time.monotonic()
        if method == "cli":
            path = os.path.join(self.net.root, "publish-" + record_id.replace("/", "-") + ".jsonl")
            with open(path, "w") as f:
                f.write(body)
            node.cli("publish", path)
        else:
            answer = node.post_publish(body)
            if answer.get("added") != 1:
                raise Failed(f"POST /api/v1/publish at {node.name}: {answer}")
        done = time.monotonic()
        self.published.append(record_id)
        self._ack(node)
        return t0, done

    # 2 and 3. Single-record publishes at random members, alternately by CLI and HTTP.
    def publishes(self, count):
        before = self.metrics_total()
        adj = self.net.adjacency()
        sent = []
        for k in range(count):
            node = self.net.members[self.net.rng.randrange(self.net.n)]
            method = "cli" if k % 2 == 0 else "http"
            record_id = f"pub/{k}"
            t0, done = self.publish_one(node, record_id, method)
            sent.append((record_id, node, method, t0, done))
            time.sleep(PUBLISH_GAP_S)
        everyone = self.net.nodes()
        all_there = lambda: all(self.watch.arrival(n.index, rid) is not None
                                for rid, *_ in sent for n in everyone)
        if not self.watch.wait(all_there, self.wait_s):
            missing = sum(1 for rid, *_ in sent for n in everyone
                          if self.watch.arrival(n.index, rid) is None)
            raise Failed(f"publishes: {missing} (record, node) pairs missing after {self.wait_s} s")
        time.sleep(2)  # announcements after the last arrival
        after = self.metrics_total()
        rows = []
        for record_id, node, method, t0, done in sent:
            hops = graph.hops_from(node.index, adj)
            for other in everyone:
                arrived = self.watch.arrival(other.index, record_id)
                rows.append({"record": record_id, "origin": node.index, "method": method,
                             "node": other.index, "hops": hops.get(other.index, -1),
                             "ms": _ms(arrived - t0), "publish_ms": _ms(done - t0)})
        cost = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in set(after) | set(before)}
        if cost.get('eichub_bytes_sent_total{type="updates"}', 0) <= 0:
            raise Failed("publishes: /metrics shows no bytes of updates sent")
        self.log(f"publishes: {count} reached all {len(everyone)} nodes")
        return {"rows": rows, "sent": cost, "count": count, "nodes": len(everyone)}

    # 4. A node joining late with an empty store.
    def late_joiner(self, degree):
        self.net.add_joiner(degree)
        joiner = self.net.joiner
        t0 = time.monotonic()
        joiner.start()
        joiner.wait_started()
        self.watch.add(joiner)
        self._wait_converged("late joiner", [joiner])
        took = time.monotonic() - t0
        self.log(f"late joiner: holds everything {took:.1f} s after its start")
        return {"hold_all_s": round(took, 2)}

    # 5. Churn: kill 10%, cut the graph in two halves while both publish, heal.
    def churn(self, partition_s):
        net = self.net
        rng = net.rng
        victims = rng.sample(net.members, max(1, net.n // 10))
        for v in victims:
            v.kill()
        adj = net.adjacency()
        side0 = graph.halves(len(net.nodes()), adj)
        cut = [(a, b) for a, b in net.edges if (a in side0) != (b in side0)]
        net.unpeer_all(cut)
        self.log(f"churn: killed {len(victims)}, cut {len(cut)} links between halves of "
                 f"{len(side0)} and {len(net.nodes()) - len(side0)} nodes")
        sides = [[m for m in net.members if m.running() and (m.index in side0) == (s == 0)]
                 for s in (0, 1)]
        t_end = time.monotonic() + partition_s
        k = 0
        while time.monotonic() < t_end:
            for side in sides:
                if side:
                    self.publish_one(side[rng.randrange(len(side))], f"part/{k}", "cli")
                    k += 1
            time.sleep(PARTITION_PUBLISH_GAP_S)
        heal = time.monotonic()
        for v in victims:
            v.start()
        net.peer_all(cut)
        for v in victims:
            v.wait_started()
        healed_cmds = time.monotonic()
        target = self.watch.union([n.index for n in net.nodes()])
        everyone = net.nodes()
        curve = []
        deadline = heal + self.wait_s
        while True:
            holding = len(self.watch.holding([n.index for n in everyone], target))
            curve.append((round(time.monotonic() - heal, 2), holding / len(everyone)))
            if holding == len(everyone):
                break
            if time.monotonic() > deadline:
                raise Failed(f"heal: {len(everyone) - holding} nodes not converged after "
                             f"{self.wait_s} s")
            time.sleep(0.25)
        converged = time.monotonic() - heal
        lost = self.lost()
        digests = set(cluster.parallel(lambda n: n.cli("digest").strip(), everyone))
        self.log(f"heal: converged {converged:.1f} s after the heal began "
                 f"(restarts and peer adds took {healed_cmds - heal:.1f} s); lost {len(lost)}; "
                 f"{len(digests)} distinct digest(s)")
        if lost:
            raise Failed("lost after heal: " + "; ".join(lost[:5]))
        if len(digests) != 1:
            raise Failed(f"heal: {len(digests)} different digests")
        return {"killed": len(victims), "cut_links": len(cut), "side0": len(side0),
                "partition_publishes": k, "converge_s": round(converged, 2),
                "heal_commands_s": round(healed_cmds - heal, 2), "curve": curve,
                "digest": digests.pop()}

    def lost(self):
        """The history check: each publishing author's acknowledged head held, with its hash, by
        every node, and every published record applied at every node."""
        problems = []
        for node in self.net.nodes():
            held = node.feeds()
            for author, (seq, head) in self.acked.items():
                if held.get(author) != (seq, head):
                    problems.append(f"{node.name} holds {author[:12]} at {held.get(author)}, "
                                    f"acked {seq}")
            missing = [r for r in self.published if self.watch.arrival(node.index, r) is None]
            if missing:
                problems.append(f"{node.name} never applied {len(missing)} records: {missing[:3]}")
        return problems

    # 6. Idle: CPU of all daemons together over a window with nothing to do, RSS per daemon.
    def idle(self, window_s):
        self.watch.stop()
        time.sleep(IDLE_SETTLE_S)
        nodes = self.alive()
        t0 = time.monotonic()
        before = {n.index: n.cpu_ticks() for n in nodes}
        time.sleep(window_s)
        elapsed = time.monotonic() - t0
        per_node = []
        for n in nodes:
            cpu = (n.cpu_ticks() - before[n.index]) / CLK_TCK / elapsed * 100.0
            per_node.append({"node": n.index, "cpu_pct": round(cpu, 3),
                             "rss_mb": round(n.rss_kb() / 1024.0, 2),
                             "anon_mb": round(n.rss_kb("RssAnon") / 1024.0, 2)})
        total = sum(p["cpu_pct"] for p in per_node)
        self.log(f"idle: {len(nodes)} daemons used {total:.1f}% of one core together over "
                 f"{elapsed:.0f} s; RSS max {max(p['rss_mb'] for p in per_node):.1f} MB")
        return {"window_s": round(elapsed, 1), "cpu_pct_total": round(total, 2),
                "per_node": per_node}
