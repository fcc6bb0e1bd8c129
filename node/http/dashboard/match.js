// eichub dashboard, matching: the skill needs held, a match view for one need, the gap table
// and a chart of offers per skill group and region. Same rules as app.js: DOM calls only
// (never innerHTML), every string shown came from the catalogue or a peer.
"use strict";

const MATCH_REFRESH_MS = 10000;

function mEl(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function mRow(cells) {
  const tr = mEl("tr");
  for (const cell of cells) {
    const td = mEl("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = String(cell);
    tr.appendChild(td);
  }
  return tr;
}

function mReplace(parent, children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  for (const child of children) parent.appendChild(child);
}

async function mGet(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
  return body;
}

function renderNeeds(needs) {
  const body = document.getElementById("needs").tBodies[0];
  mReplace(body, needs.needs.length ? needs.needs.map((need) => {
    const link = mEl("a", need.record.id);
    link.addEventListener("click", () => showMatch(need.record.id));
    const tr = mRow([link, need.region, need.sector, need.headcount || "",
      need.occupation ? "occupation" : `${need.skills.length} skills`]);
    tr.className = "need";
    return tr;
  }) : [mRow(["no skill needs held"])]);
}

async function showMatch(needId) {
  const view = document.getElementById("match-view");
  view.hidden = false;
  try {
    const answer = await mGet("/api/v1/match?need=" + encodeURIComponent(needId));
    const parts = [mEl("h3", `Offers for ${needId}: ${answer.candidates} resources earn credit`)];
    const list = mEl("ol");
    for (const offer of answer.offers) {
      const li = mEl("li", `${offer.title || offer.record.id} — score ${offer.score.toFixed(2)}`,
                     "offer");
      const why = mEl("ul");
      for (const r of offer.reasons) {
        why.appendChild(mEl("li", `${r.via}: teaches ${r.taught_label || r.taught_skill}`));
      }
      li.appendChild(why);
      list.appendChild(li);
    }
    parts.push(list);
    if (answer.cover.length) {
      parts.push(mEl("h3", "Smallest set covering the need"));
      const cover = mEl("ul");
      for (const pick of answer.cover) {
        cover.appendChild(mEl("li", `${pick.title || pick.record.id} (${pick.covers.length} skills)`));
      }
      parts.push(cover);
    }
    parts.push(mEl("p", answer.uncovered.length
      ? `Not covered: ${answer.uncovered.join(", ")}` : "Every needed skill is covered.",
      "uncovered"));
    if (answer.note) parts.push(mEl("p", answer.note));
    mReplace(view, parts);
  } catch (e) {
    mReplace(view, [mEl("p", "Match failed: " + e.message)]);
  }
}

function renderGaps(report) {
  const body = document.getElementById("gaps").tBodies[0];
  mReplace(body, report.gaps.length ? report.gaps.map((g) => {
    const tr = mRow([g.region, g.sector, g.label || g.skill, g.demand, g.offers,
      g.offers_in_region]);
    tr.className = "gap";
    tr.dataset.offers = String(g.offers);
    return tr;
  }) : [mRow(["no needed skill lacks offers"])]);
}

// A horizontal bar per (skill group, region), scaled to the largest count.
function renderOffersChart(offers) {
  const chart = document.getElementById("offers-chart");
  const rows = offers.offers_per_group_and_region;
  const max = Math.max(1, ...rows.map((r) => r.resources));
  mReplace(chart, rows.length ? rows.map((r) => {
    const line = mEl("div", null, "bar-row");
    line.appendChild(mEl("span", `${r.label || r.group} · ${r.region || "no region"}`, "bar-label"));
    const bar = mEl("span", null, "bar");
    bar.style.width = `${(100 * r.resources) / max}%`;
    line.appendChild(bar);
    line.appendChild(mEl("span", r.resources, "bar-count"));
    return line;
  }) : [mEl("p", "no resource teaches a skill of a held skill group")]);
}

// The chart's skill group level (ESCO: 1 gives groups such as "communication, collaboration and
// creativity"); ?group_level=N on the page's address changes it.
function groupLevel() {
  return new URLSearchParams(window.location.search).get("group_level") || "1";
}

async function refreshMatching() {
  try {
    renderNeeds(await mGet("/api/v1/needs"));
    renderGaps(await mGet("/api/v1/gaps?max_offers=3&limit=50"));
    renderOffersChart(await mGet("/api/v1/offers_by_group?level=" + groupLevel()));
  } catch (e) {
    mReplace(document.getElementById("offers-chart"), [mEl("p", "Matching unavailable: " + e.message)]);
  }
}

function startMatching() {
  const need = new URLSearchParams(window.location.search).get("need");
  if (need) showMatch(need);
  refreshMatching();
  setInterval(refreshMatching, MATCH_REFRESH_MS);
}

startMatching();
