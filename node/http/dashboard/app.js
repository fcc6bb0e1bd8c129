// eichub dashboard: reads the node's JSON API and renders it with DOM calls (never innerHTML:
// every string shown came from the catalogue or a peer). Refreshes every few seconds.
"use strict";

const REFRESH_MS = 2000;
const RECENT_CHANGES = 20;

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = String(cell);
    tr.appendChild(td);
  }
  return tr;
}

function replaceChildren(parent, children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  for (const child of children) parent.appendChild(child);
}

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
  return body;
}

function short(hex) { return hex ? hex.slice(0, 12) + "…" : ""; }

// Cluster names and regions by author, from the cluster profiles held (every node publishes
// one, id "profile").
let clusters = {};

function who(hex) {
  const c = clusters[hex];
  return c ? `${c.name} (${c.region})` : short(hex);
}

async function loadClusters() {
  try {
    const found = await getJson("/api/v1/records/profile");
    const next = {};
    for (const r of found.records) {
      if (r.kind !== "ClusterProfile" || !r.record) continue;
      next[r.author] = { name: r.label || r.author.slice(0, 12), region: r.record.region || "?" };
    }
    clusters = next;
  } catch (e) {
    // No profile held yet: ids are shown instead of names.
  }
}

function renderStatus(status) {
  const node = status.node;
  $("node-name").textContent = node.name;
  $("node-region").textContent = node.region;
  $("node-sectors").textContent = (node.sectors || []).join(", ");
  $("node-network").textContent = node.network;
  $("node-id").textContent = node.id;
  $("node-card-text").textContent = node.peer_card;
  document.title = "eichub: " + node.name;

  const sync = status.sync;
  const progress = $("sync-progress");
  progress.value = sync.progress;
  $("sync-state").textContent = sync.catching_up
    ? `Catching up: ${sync.held_updates} of ${sync.announced_updates} updates held ` +
      `(${Math.floor(sync.progress * 100)} %)`
    : `In sync: ${sync.held_updates} updates held, ${sync.links_up} of ${sync.links} links up`;
  $("sync-state").dataset.catchingUp = String(sync.catching_up);

  const rejected = Object.entries(sync.rejected_by_reason || {});
  replaceChildren($("rejected"), rejected.length
    ? rejected.map(([reason, count]) => el("li", `${reason}: ${count}`))
    : [el("li", "none")]);

  const counts = Object.entries(status.records_by_kind || {});
  replaceChildren($("counts"), counts.length
    ? counts.map(([kind, count]) => {
        const li = el("li", `${kind}: ${count}`, "count");
        li.dataset.kind = kind;
        li.dataset.count = String(count);
        return li;
      })
    : [el("li", "no records yet")]);

  const regionRows = [];
  for (const [region, kinds] of Object.entries(status.records_by_region || {})) {
    for (const [kind, count] of Object.entries(kinds)) {
      const tr = row([region, kind, count]);
      tr.className = "region-count";
      tr.dataset.region = region;
      tr.dataset.kind = kind;
      tr.dataset.count = String(count);
      regionRows.push(tr);
    }
  }
  replaceChildren($("regions").tBodies[0], regionRows.length ? regionRows : [row(["none", "", 0])]);
}

// "in sync", or how far each side is behind, from the heads the peer announced.
function lagText(peer) {
  const lag = peer.lag || {};
  if (lag.behind_updates === null || lag.behind_updates === undefined) return "unknown";
  const parts = [];
  if (lag.behind_updates > 0) {
    parts.push(`peer lacks ${lag.behind_updates} (${lag.behind_seconds.toFixed(0)} s)`);
  }
  if (lag.ahead_updates > 0) {
    parts.push(`we lack ${lag.ahead_updates} (${lag.ahead_seconds.toFixed(0)} s)`);
  }
  return parts.length ? parts.join(", ") : "in sync";
}

function renderPeers(peers) {
  const rows = peers.peers.map((peer) => {
    const state = el("span", peer.up ? "up" : "down", peer.up ? "up" : "down");
    const lag = el("span", lagText(peer), "lag");
    const tr = row([
      peer.node_id ? who(peer.node_id) : peer.peer_key.slice(0, 10), peer.role, state,
      peer.idle_seconds === null ? "never" : `${peer.idle_seconds.toFixed(1)} s ago`,
      lag, peer.updates_received, peer.updates_sent, peer.rejected,
    ]);
    tr.className = "peer";
    tr.dataset.state = peer.up ? "up" : "down";
    if (peer.lag && peer.lag.behind_updates !== null) {
      tr.dataset.behind = String(peer.lag.behind_updates);
      tr.dataset.ahead = String(peer.lag.ahead_updates);
    }
    return tr;
  });
  replaceChildren($("peers").tBodies[0], rows.length ? rows : [row(["no peers configured"])]);
}

function renderFeeds(feeds) {
  replaceChildren($("feeds").tBodies[0], feeds.feeds.map((feed) => row([
    who(feed.author) + (feed.own ? ", this node" : ""), feed.seq, feed.best_remote_seq,
    feed.frozen ? "frozen (fork)" : (feed.seq < feed.best_remote_seq ? "behind" : "at head"),
  ])));
}

function holderText(holder) {
  const name = holder.self ? "this node" : (holder.name || short(holder.peer));
  if (holder.state === "missing") return `${name}: none`;
  return `${name}: ${holder.seq}` + (holder.at_head ? " (at head)" : " (behind)");
}

function renderHolders(feeds) {
  replaceChildren($("holders").tBodies[0], feeds.feeds.map((feed) => {
    const list = el("ul", null, "holder-list");
    for (const holder of feed.holders || []) {
      const li = el("li", holderText(holder), "holder");
      li.dataset.feed = feed.author;
      li.dataset.peer = holder.peer;
      li.dataset.state = holder.state;
      li.dataset.seq = String(holder.seq);
      list.appendChild(li);
    }
    return row([who(feed.author) + (feed.own ? ", this node" : ""), feed.best_remote_seq, list]);
  }));
}

function renderChanges(changes) {
  replaceChildren($("changes").tBodies[0], changes.results.slice().reverse().map((c) => row([
    c.seq, c.kind, c.id + (c.deleted ? " (deleted)" : ""), who(c.author), c.feed_seq,
  ])));
}

async function refresh() {
  try {
    await loadClusters();
    const status = await getJson("/api/v1/status");
    renderStatus(status);
    renderPeers(await getJson("/api/v1/peers"));
    const feeds = await getJson("/api/v1/feeds");
    renderFeeds(feeds);
    renderHolders(feeds);
    const since = Math.max(0, status.store.last_change - RECENT_CHANGES);
    renderChanges(await getJson(`/api/v1/changes?since=${since}&limit=${RECENT_CHANGES}`));
    $("load-error").hidden = true;
  } catch (e) {
    $("load-error").textContent = "Cannot reach the node: " + e.message;
    $("load-error").hidden = false;
  }
}

function languageList(title, texts) {
  const entries = Object.entries(texts || {});
  if (!entries.length) return [];
  const dl = el("dl");
  for (const [lang, text] of entries) {
    dl.appendChild(el("dt", lang));
    dl.appendChild(el("dd", Array.isArray(text) ? text.join("; ") : text));
  }
  return [el("h3", title), dl];
}

async function showRecord(id) {
  const detail = $("record-detail");
  try {
    const found = await getJson("/api/v1/records/" + encodeURIComponent(id));
    const parts = [];
    for (const r of found.records) {
      const rec = r.record || {};
      parts.push(el("h3", `${r.kind}: ${r.label || r.id}`));
      parts.push(el("p", `Id ${r.id}. From ${who(r.author)}, signed by key ${r.signed_by} ` +
                         `(feed seq ${r.seq}).`, "origin"));
      parts.push(...languageList("Labels", rec.prefLabel || rec.title || rec.name));
      parts.push(...languageList("Alternative labels", rec.altLabels));
      if (rec.teaches && rec.teaches.length) {
        parts.push(el("h3", "Skills taught"));
        const ul = el("ul");
        for (const t of rec.teaches) ul.appendChild(el("li", `${t.skill} (${t.relation || "taught"})`));
        parts.push(ul);
      }
    }
    replaceChildren(detail, parts);
  } catch (e) {
    replaceChildren(detail, [el("p", "Record not found: " + e.message)]);
  }
  detail.hidden = false;
}

async function search(q, kind) {
  const list = $("search-results");
  if (!q) { replaceChildren(list, []); return; }
  const params = new URLSearchParams({ q, limit: "20" });
  if (kind) params.set("kind", kind);
  try {
    const found = await getJson("/api/v1/search?" + params.toString());
    replaceChildren(list, found.results.length ? found.results.map((hit) => {
      const li = el("li", null, "search-result");
      const link = el("a", hit.label || hit.id);
      link.addEventListener("click", () => showRecord(hit.id));
      li.appendChild(link);
      li.appendChild(el("span", ` ${hit.kind}, from ${who(hit.author)}`));
      li.dataset.id = hit.id;
      return li;
    }) : [el("li", "no match")]);
  } catch (e) {
    replaceChildren(list, [el("li", "Search failed: " + e.message)]);
  }
}

function start() {
  $("copy-card").addEventListener("click", () => {
    navigator.clipboard.writeText($("node-card-text").textContent);
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("search-q").value.trim(), $("search-kind").value);
  });
  // ?q=...&record=... open the page on a search or a record (links, bookmarks, tests).
  const params = new URLSearchParams(window.location.search);
  if (params.get("q")) {
    $("search-q").value = params.get("q");
    search(params.get("q"), params.get("kind") || "");
  }
  if (params.get("record")) showRecord(params.get("record"));
  refresh();
  setInterval(refresh, REFRESH_MS);
}

start();
