# The network's shape: a seeded connected random graph, hop distances, a two-way cut, and the
# NUTS-2 regions and sectors the nodes stand for.
import collections
import random

# NUTS-2 codes (2021) by country: prefix and the suffixes in use; about 240 regions.
_NUTS2 = {
    "AT": "11 12 13 21 22 31 32 33 34",
    "BE": "10 21 22 23 24 25 31 32 33 34 35",
    "BG": "31 32 33 34 41 42",
    "CY": "00",
    "CZ": "01 02 03 04 05 06 07 08",
    "DE": "11 12 13 14 21 22 23 24 25 26 27 30 40 50 60 71 72 73 80 91 92 93 94 A1 A2 A3 A4 A5 "
          "B0 C0 D1 D2 E0 F0 G0",
    "DK": "01 02 03 04 05",
    "EE": "00",
    "EL": "30 41 42 43 51 52 53 54 61 62 63 64 65",
    "ES": "11 12 13 21 22 23 24 30 41 42 43 51 52 53 61 62 63 64 70",
    "FI": "19 1B 1C 1D 20",
    "FR": "10 B0 C1 C2 D1 D2 E1 E2 F1 F2 F3 G0 H0 I1 I2 I3 J1 J2 K1 K2 L0 M0 Y1 Y2 Y3 Y4 Y5",
    "HR": "02 03 05 06",
    "HU": "11 12 21 22 23 31 32 33",
    "IE": "04 05 06",
    "IT": "C1 C2 C3 C4 F1 F2 F3 F4 F5 F6 G1 G2 H1 H2 H3 H4 H5 I1 I2 I3 I4",
    "LT": "01 02",
    "LU": "00",
    "LV": "00",
    "MT": "00",
    "NL": "11 12 13 21 22 23 31 32 33 34 35 36 41 42",
    "PL": "21 22 41 42 43 51 52 61 62 63 71 72 81 82 84 91 92",
    "PT": "11 15 16 17 18 20 30",
    "RO": "11 12 21 22 31 32 41 42",
    "SE": "11 12 21 22 23 31 32 33",
    "SI": "03 04",
    "SK": "01 02 03 04",
}
REGIONS = [country + suffix for country, suffixes in _NUTS2.items() for suffix in suffixes.split()]
SECTORS = ["healthcare", "construction", "ict", "manufacturing", "agrifood", "energy", "tourism",
           "logistics", "automotive", "textiles", "creative", "maritime"]


def random_graph(n, degree, rng):
    """Edges (i, j), i < j, of a connected graph on n nodes with about n*degree/2 edges: a random
    spanning tree (each node linked to an earlier one), then random edges between nodes below
    the degree until the total is reached."""
    order = list(range(n))
    rng.shuffle(order)
    edges = set()
    deg = [0] * n
    for k in range(1, n):
        a, b = order[k], order[rng.randrange(k)]
        edges.add((min(a, b), max(a, b)))
        deg[a] += 1
        deg[b] += 1
    target = max(n - 1, n * degree // 2)
    attempts = 0
    while len(edges) < target and attempts < 100 * n * degree:
        attempts += 1
        a, b = rng.randrange(n), rng.randrange(n)
        if a == b or deg[a] >= degree + 1 or deg[b] >= degree + 1:
            continue
        e = (min(a, b), max(a, b))
        if e in edges:
            continue
        edges.add(e)
        deg[a] += 1
        deg[b] += 1
    return sorted(edges)


def neighbours(n, edges):
    adj = [[] for _ in range(n)]
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    return adj


def hops_from(source, adj, alive=None):
    """Hop distance from source to every node reachable through nodes in alive (all if None)."""
    dist = {source: 0}
    queue = collections.deque([source])
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if v not in dist and (alive is None or v in alive):
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


def halves(n, adj):
    """Two sides of about n/2 nodes each, the first grown by BFS from node 0 so that few edges
    cross; returns the set of side-0 nodes."""
    side = set()
    queue = collections.deque([0])
    seen = {0}
    while queue and len(side) < n // 2:
        u = queue.popleft()
        side.add(u)
        for v in adj[u]:
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return side


def diameter(adj):
    return max(max(hops_from(s, adj).values()) for s in range(len(adj)))


def make_rng(seed):
    return random.Random(seed)
