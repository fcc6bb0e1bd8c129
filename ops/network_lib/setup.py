# Sets up a network on loopback the way operators do: an authority (`eichub authority init`)
# admits every member (`authority admit`); members trust its root (`trust root`), publish their
# own courses and are peered on the graph (`peer add`, both ways); two vendors (`vendor keygen`,
# `vendor admit`) publish through two different members (`publish --as`).
import os

from . import catalogue, cluster, graph

VENDORS = ["acme-learning", "skillforge"]


class Network:
    """Members 0..n-1, the authority at index n, a late joiner at n+1 (added later)."""

    def __init__(self, eichub, root, n, degree, seed, network_id="eichub-europe"):
        self.eichub = eichub
        self.root = root
        self.n = n
        self.rng = graph.make_rng(seed)
        self.network_id = network_id
        self.ports = cluster.free_ports(n + 2, int(os.environ.get("EICHUB_NETWORK_PORT", 21000)))
        self.members = []
        for i in range(n):
            region = graph.REGIONS[i % len(graph.REGIONS)]
            name = f"n{i:03d}-{region.lower()}"
            sector = graph.SECTORS[self.rng.randrange(len(graph.SECTORS))]
            self.members.append(cluster.Node(eichub, root, i, name, region, sector, self.ports[i]))
        self.authority = cluster.Node(eichub, root, n, "authority", "EU", "network",
                                      self.ports[n])
        self.joiner = None
        edges = graph.random_graph(n, degree, self.rng)
        # The authority runs as a node peered with two members.
        edges += [(0, n), (self.rng.randrange(1, n), n)]
        self.edges = sorted(set(edges))
        self.vendors = {}  # vendor name -> (key file, vendor id, member index carrying it)

    def nodes(self):
        """Every node started so far: members, the authority, the late joiner."""
        out = self.members + [self.authority]
        return out + ([self.joiner] if self.joiner else [])

    def by_index(self, i):
        return self.nodes()[i]

    def adjacency(self):
        return graph.neighbours(len(self.nodes()), self.edges)

    def unpeer_all(self, edges):
        """peer remove on both ends of each edge."""
        self._each_end(edges, lambda node, other: node.cli("peer", "remove", other.node_id))

    def build(self, records):
        os.makedirs(self.root, exist_ok=True)
        self.authority.init(self.network_id, authority=True)
        self.authority.cli("trust", "root", self.authority.node_id)  # it follows its members
        cluster.parallel(lambda m: m.init(self.network_id), self.members)
        for m in self.members:  # one writer per home: the authority's feed, in order
            self.authority.cli("authority", "admit", m.card, "--name", m.name, "--region",
                               m.region)

        def own(m):
            m.cli("trust", "root", self.authority.node_id)
            path = m.home + "-courses.jsonl"
            with open(path, "w") as f:
                f.write(catalogue.node_courses(m, records))
            m.cli("publish", path)

        cluster.parallel(own, self.members)
        self.peer_all(self.edges)
        carriers = [0, self.n // 2] if self.n > 1 else [0, 0]
        for vendor, carrier in zip(VENDORS, carriers):
            key = os.path.join(self.root, vendor + ".key")
            out = cluster.subprocess.run([self.eichub, "vendor", "keygen", "--out", key],
                                         capture_output=True, text=True, check=True).stdout
            vendor_id = out.split()[0]
            node = self.members[carrier]
            node.cli("vendor", "admit", vendor_id, "--name", vendor, "--kinds", "LearningResource",
                     "--id-prefix", vendor + "/", "--expires", "2099-12-31")
            path = os.path.join(self.root, vendor + "-courses.jsonl")
            with open(path, "w") as f:
                f.write(catalogue.vendor_courses(vendor, records))
            node.cli("publish", "--as", key, path)
            self.vendors[vendor] = (key, vendor_id, carrier)

    def peer_all(self, edges):
        """peer add on both ends of each edge."""
        self._each_end(edges, lambda node, other: node.cli("peer", "add", other.card))

    def _each_end(self, edges, fn):
        """fn(node, other) for both ends of each edge: nodes in parallel, and one node's calls
        one after another (each rewrites its peers.toml)."""
        by_node = {}
        for a, b in edges:
            by_node.setdefault(a, []).append(b)
            by_node.setdefault(b, []).append(a)
        nodes = self.nodes()

        def each(item):
            i, others = item
            for j in others:
                fn(nodes[i], nodes[j])

        cluster.parallel(each, sorted(by_node.items()))

    def add_joiner(self, degree):
        """A late node with an empty store: admitted, trusting the root, peered with degree
        members chosen at random. Not started."""
        i = self.n + 1
        self.joiner = cluster.Node(self.eichub, self.root, i, "late-joiner", "IS00", "ict",
                                   self.ports[i])
        self.joiner.init(self.network_id)
        self.authority.cli("authority", "admit", self.joiner.card, "--name", "late joiner",
                           "--region", "IS00")
        self.joiner.cli("trust", "root", self.authority.node_id)
        peers = self.rng.sample(range(self.n), min(degree, self.n))
        new_edges = [(j, i) for j in peers]
        self.edges = sorted(set(self.edges + new_edges))
        self.peer_all(new_edges)
