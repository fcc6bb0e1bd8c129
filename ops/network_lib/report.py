# The report of one ops/network run: data files (TSV, JSON), plots drawn by gnuplot when it is
# installed, and a Markdown summary of the figures against the targets.
import json
import os
import re
import shutil
import subprocess

TARGETS = {  # issue 19, at 250 nodes
    "cold_s": 60, "p50_ms": 300, "p99_ms": 1000, "bytes_factor": 1.5, "idle_cpu_pct": 10,
    "rss_mb": 25, "joiner_s": 30, "heal_s": 30,
}


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def _by_type(sent, family):
    out = {}
    for key, value in sent.items():
        if key.startswith(family + "{"):
            m = re.search(r'type="([^"]+)"', key)
            if m:
                out[m.group(1)] = out.get(m.group(1), 0.0) + value
    return out


def propagation(rows):
    """Per publish: the time the last node held it; per hop count: p50/p99/max over nodes."""
    per_record = {}
    for r in rows:
        per_record.setdefault(r["record"], []).append(r)
    last = {m: [] for m in ("cli", "http")}
    publish_ms = {m: [] for m in ("cli", "http")}
    for rid, rs in per_record.items():
        last[rs[0]["method"]].append(max(r["ms"] for r in rs))
        publish_ms[rs[0]["method"]].append(rs[0]["publish_ms"])
    hops = {}
    for r in rows:
        hops.setdefault(r["hops"], []).append(r["ms"])
    return last, publish_ms, hops


def cost(publishes, n_nodes):
    """Bytes and messages sent per published update, by message type, and the floor."""
    sent = publishes["sent"]
    count = publishes["count"]
    bytes_t = _by_type(sent, "eichub_bytes_sent_total")
    msgs_t = _by_type(sent, "eichub_messages_sent_total")
    updates_sent = sum(v for k, v in sent.items() if k.startswith("eichub_updates_sent_total"))
    update_bytes = bytes_t.get("updates", 0.0) / updates_sent if updates_sent else 0.0
    floor = (n_nodes - 1) * update_bytes
    return {
        "bytes_per_update": {t: round(v / count, 1) for t, v in sorted(bytes_t.items())},
        "messages_per_update": {t: round(v / count, 2) for t, v in sorted(msgs_t.items())},
        "update_copies_per_update": round(updates_sent / count, 2),
        "update_wire_bytes": round(update_bytes, 1),
        "floor_bytes": round(floor, 1),
        "updates_factor": round(bytes_t.get("updates", 0.0) / count / floor, 3) if floor else None,
        "total_bytes_per_update": round(sum(bytes_t.values()) / count, 1),
    }


def write_tsv(path, header, rows):
    with open(path, "w") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(str(x) for x in row) + "\n")


def _cdf_rows(values):
    v = sorted(values)
    return [(x, round((i + 1) / len(v), 4)) for i, x in enumerate(v)]


PLOTS = {
    "propagation_cdf": """set title "Time until a node holds a publish, by hop distance (CDF)"
set xlabel "ms from the start of the publish"; set ylabel "fraction of (publish, node)"
set key bottom right; set logscale x; set grid
plot {series}""",
    "heal": """set title "Nodes holding everything after the heal"
set xlabel "seconds after the heal began"; set ylabel "fraction of nodes"; set grid
set yrange [0:1.05]
plot "heal.tsv" using 1:2 with steps lw 2 title "converged" """,
    "nodes": """set title "Idle CPU and RSS per daemon"
set xlabel "node"; set ylabel "% of one core over the idle window"; set y2label "RSS MB"
set ytics nomirror; set y2tics; set grid
plot "nodes.tsv" using 1:2 with impulses lw 2 title "idle CPU %", \\
     "nodes.tsv" using 1:3 axes x1y2 with points pt 7 ps 0.5 title "RSS MB" """,
    "bytes": """set title "Bytes sent per published update, by message type"
set style data histograms; set style fill solid 0.6; set boxwidth 0.8
set ylabel "bytes per update (all links)"; set grid ytics; set xtics rotate by -30
plot "bytes.tsv" using 2:xtic(1) title "sent", "" using 3 title "floor (N-1) x update" """,
}


def plot(out_dir, name, script):
    if shutil.which("gnuplot") is None:
        return False
    full = f'set terminal pngcairo size 900,540 font ",10"\nset output "{name}.png"\n{script}\n'
    r = subprocess.run(["gnuplot"], input=full, text=True, cwd=out_dir, capture_output=True)
    if r.returncode != 0:
        print(f"gnuplot {name}: {r.stderr.strip()}")
        return False
    return True


def write(out_dir, link_prefix, figures, log):
    os.makedirs(out_dir, exist_ok=True)
    n_nodes = figures["nodes"]
    lines = [f"### {figures['members']} members (+ authority, + late joiner), degree "
             f"{figures['degree']}, seed {figures['seed']}", "",
             f"Machine: {figures['machine']}; load before: {figures['load_before']}, "
             f"after: {figures['load_after']}.", ""]
    if "cold" in figures:
        c = figures["cold"]
        lines.append(f"- Cold start: {n_nodes} daemons started in {c['start_s']} s, converged "
                     f"{c['converge_s']} s later (target {TARGETS['cold_s']} s).")
    plots = []
    if "publishes" in figures:
        p = figures["publishes"]
        write_tsv(os.path.join(out_dir, "propagation.tsv"),
                  ["record", "method", "origin", "node", "hops", "ms", "publish_ms"],
                  [(r["record"], r["method"], r["origin"], r["node"], r["hops"], r["ms"],
                    r["publish_ms"]) for r in p["rows"]])
        last, publish_ms, hops = propagation(p["rows"])
        for method in ("cli", "http"):
            if last[method]:
                lines.append(
                    f"- Publish via {method}, until every node holds it (from the start of the "
                    f"{'CLI process' if method == 'cli' else 'HTTP request'}): p50 "
                    f"{percentile(last[method], 50)} ms, p99 {percentile(last[method], 99)} ms, "
                    f"max {max(last[method])} ms over {len(last[method])} publishes; the publish "
                    f"itself p50 {percentile(publish_ms[method], 50)} ms.")
        lines += ["", "| hops | (publish, node) pairs | p50 ms | p99 ms | max ms |",
                  "|---:|---:|---:|---:|---:|"]
        series = []
        for h in sorted(hops):
            v = hops[h]
            lines.append(f"| {h} | {len(v)} | {percentile(v, 50)} | {percentile(v, 99)} | "
                         f"{max(v)} |")
            write_tsv(os.path.join(out_dir, f"cdf_hop{h}.tsv"), ["ms", "fraction"],
                      _cdf_rows([max(x, 0.1) for x in v]))
            series.append(f'"cdf_hop{h}.tsv" using 1:2 with lines lw 2 title "{h} hops"')
        lines.append("")
        if plot(out_dir, "propagation_cdf",
                PLOTS["propagation_cdf"].format(series=", ".join(series))):
            plots.append("propagation_cdf")
        k = cost(p, p["nodes"])
        figures["cost"] = k
        write_tsv(os.path.join(out_dir, "bytes.tsv"), ["type", "bytes_per_update", "floor"],
                  [(t, v, k["floor_bytes"] if t == "updates" else 0)
                   for t, v in k["bytes_per_update"].items()])
        lines.append(
            f"- Network cost per published update (all links): {k['total_bytes_per_update']} "
            f"bytes, of which updates {k['bytes_per_update'].get('updates', 0)} bytes "
            f"({k['update_copies_per_update']} copies of a {k['update_wire_bytes']}-byte update; "
            f"floor (N-1) x update = {k['floor_bytes']} bytes, factor {k['updates_factor']}, "
            f"target {TARGETS['bytes_factor']}). By type: bytes {k['bytes_per_update']}, "
            f"messages {k['messages_per_update']}.")
        if plot(out_dir, "bytes", PLOTS["bytes"]):
            plots.append("bytes")
    if "joiner" in figures:
        lines.append(f"- Late joiner (empty store): held everything "
                     f"{figures['joiner']['hold_all_s']} s after its start (target "
                     f"{TARGETS['joiner_s']} s).")
    if "churn" in figures:
        c = figures["churn"]
        write_tsv(os.path.join(out_dir, "heal.tsv"), ["seconds", "fraction"], c["curve"])
        lines.append(
            f"- Churn: {c['killed']} members killed, the graph cut in halves ({c['side0']} and "
            f"{n_nodes - c['side0']} nodes, {c['cut_links']} links) for the partition while "
            f"both sides published {c['partition_publishes']} records; after the heal "
            f"(restarts and peer adds {c['heal_commands_s']} s) every node held everything "
            f"{c['converge_s']} s after the heal began (target {TARGETS['heal_s']} s); nothing "
            f"lost, one digest.")
        if plot(out_dir, "heal", PLOTS["heal"]):
            plots.append("heal")
    if "idle" in figures:
        i = figures["idle"]
        write_tsv(os.path.join(out_dir, "nodes.tsv"), ["node", "cpu_pct", "rss_mb", "anon_mb"],
                  [(p["node"], p["cpu_pct"], p["rss_mb"], p.get("anon_mb", ""))
                   for p in i["per_node"]])
        rss = [p["rss_mb"] for p in i["per_node"]]
        anon = [p["anon_mb"] for p in i["per_node"] if "anon_mb" in p]
        lines.append(
            f"- Idle over {i['window_s']} s: all {len(rss)} daemons together "
            f"{i['cpu_pct_total']}% of one core (target {TARGETS['idle_cpu_pct']}%); RSS per "
            f"daemon median {percentile(rss, 50)} MB, max {max(rss)} MB (target "
            f"{TARGETS['rss_mb']} MB)" + (f"; of it anonymous (not shared libraries nor the "
                                         f"store's page cache) median {percentile(anon, 50)} MB, "
                                         f"max {max(anon)} MB." if anon else "."))
        if plot(out_dir, "nodes", PLOTS["nodes"]):
            plots.append("nodes")
    lines.append("")
    if shutil.which("gnuplot") is None:
        lines.append("(No plots: gnuplot is not installed; `apt-get install gnuplot-nox`.)")
        log("gnuplot not installed: data files written, plots skipped")
    for name in plots:
        lines.append(f"![{name}]({link_prefix}/{name}.png)")
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out_dir, "figures.json"), "w") as f:
        # Each (publish, node) row is in propagation.tsv.
        slim = dict(figures, publishes={k: v for k, v in figures.get("publishes", {}).items()
                                        if k != "rows"})
        json.dump(slim, f, indent=1, sort_keys=True)
    return "\n".join(lines)
