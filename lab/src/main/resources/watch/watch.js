// The live page of `electrolab lab watch` (docs/lab.md): renders each Snapshot the server sends.
"use strict";

// Columns of the hosts table, each the sum of these program counters (docs/lab.md, "Watching a lab").
const COLUMNS = [
  ["tc-broadcast.cloned"],
  ["fast-reply.fast_replied"],
  ["quorum-prune.quorum_passed"],
  ["quorum-prune.pruned", "quorum-prune.dropped_late", "quorum-prune.dropped_duplicate"],
];
const DROPS = ["dropped_invalid", "dropped_foreign"];
const SERIES_MILLIS = 60000;
const SVG = "http://www.w3.org/2000/svg";

const number = (n) => Math.round(n).toLocaleString("en-US");
const $ = (id) => document.getElementById(id);

function cell(value, perSec) {
  return `<td>${number(value)}<br><span class="rate">${number(perSec)}/s</span></td>`;
}

function counterCell(host, names) {
  const counters = host.counters.filter((c) => names.includes(c.name));
  if (counters.length === 0) return "<td>–</td>";
  return cell(counters.reduce((sum, c) => sum + c.value, 0), counters.reduce((sum, c) => sum + c.perSec, 0));
}

function dropsCell(host) {
  const kernel = host.counters.filter((c) => DROPS.includes(c.name.split(".")[1]));
  return cell(host.dropped + kernel.reduce((sum, c) => sum + c.value, 0), kernel.reduce((sum, c) => sum + c.perSec, 0));
}

function renderHosts(snapshot) {
  const rows = snapshot.hosts.map((h) => {
    const stale = !h.running || h.role === "paused" || h.statsAgeMillis > 2000;
    const known = h.view >= 0;
    return `<tr data-host="${h.name}" data-role="${h.role}" class="${stale ? "stale" : ""}">
      <td><b>${h.name}</b></td><td>${h.address}</td>
      <td><span class="role ${h.role}">${h.role}</span></td>
      <td>${known ? h.view : "–"}</td><td>${known ? h.status : "–"}</td>
      <td>${known ? number(h.op) : "–"}</td><td>${known ? number(h.commit) : "–"}</td>
      ${COLUMNS.map((names) => counterCell(h, names)).join("")}${dropsCell(h)}</tr>`;
  });
  document.querySelector("#hosts tbody").innerHTML = rows.join("");
}

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderChart(snapshot) {
  const chart = $("chart");
  chart.replaceChildren();
  const width = 760, height = 240, left = 56, right = 70, top = 10, bottom = 22;
  const end = snapshot.takenAtMillis, start = end - SERIES_MILLIS;
  const x = (t) => left + ((t - start) / SERIES_MILLIS) * (width - left - right);
  const points = snapshot.series;
  const opsMax = Math.max(1, ...points.map((p) => p.opsPerSec)) * 1.1;
  // p99 on a log axis: a cold JVM's first second or a view change is 100x the steady p99.
  const p99Decades = Math.max(2, Math.ceil(Math.log10(Math.max(10, ...points.map((p) => p.p99Micros)))));
  const yOps = (v) => top + (1 - v / opsMax) * (height - top - bottom);
  const yP99 = (v) => top + (1 - Math.log10(Math.max(1, v)) / p99Decades) * (height - top - bottom);
  for (const fault of snapshot.faults) {
    const from = Math.max(start, fault.fromMillis), to = fault.toMillis === 0 ? end : fault.toMillis;
    if (to < start) continue;
    chart.append(element("rect", { x: x(from), y: top, width: Math.max(2, x(to) - x(from)), height: height - top - bottom,
      fill: "rgba(255, 127, 14, 0.18)", stroke: "#ff7f0e", "data-fault": fault.fault }));
    chart.append(element("text", { x: x(from) + 4, y: top + 12 }, fault.fault));
  }
  for (const event of snapshot.events) {
    if (!event.text.startsWith("view ") || event.atMillis < start) continue;
    chart.append(element("line", { x1: x(event.atMillis), x2: x(event.atMillis), y1: top, y2: height - bottom,
      stroke: "#444", "stroke-dasharray": "3 3" }));
    chart.append(element("text", { x: x(event.atMillis) + 3, y: height - bottom - 4 }, event.text.split(":")[0]));
  }
  for (let i = 0; i <= 4; i++) {
    const y = top + (i / 4) * (height - top - bottom);
    chart.append(element("line", { x1: left, x2: width - right, y1: y, y2: y, stroke: "#eee" }));
    chart.append(element("text", { x: left - 4, y: y + 4, "text-anchor": "end" }, number(opsMax * (1 - i / 4))));
  }
  for (let decade = 0; decade <= p99Decades; decade++) {
    chart.append(element("text", { x: width - right + 4, y: yP99(10 ** decade) + 4 }, number(10 ** decade)));
  }
  for (let s = 0; s <= 60; s += 10) {
    chart.append(element("text", { x: x(end - s * 1000), y: height - 6, "text-anchor": "middle" }, s === 0 ? "now" : `-${s}s`));
  }
  const line = (y, key, colour) => {
    if (points.length < 2) return;
    const path = points.map((p, i) => `${i ? "L" : "M"}${x(p.atMillis).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
    chart.append(element("path", { d: path, fill: "none", stroke: colour, "stroke-width": 2 }));
  };
  line(yOps, "opsPerSec", "#1f77b4");
  line(yP99, "p99Micros", "#d62728");
}

function renderEvents(snapshot) {
  $("events").innerHTML = snapshot.events.slice().reverse().map((e) =>
    `<li><time>${new Date(e.atMillis).toLocaleTimeString("en-GB")}</time>${e.text}</li>`).join("");
}

function render(snapshot) {
  $("lab").textContent = snapshot.lab;
  $("note").hidden = snapshot.up;
  $("note").textContent = snapshot.note;
  $("scenario").textContent = snapshot.up
    ? `${snapshot.scenario}: ${snapshot.replicas} replicas, offloads ${snapshot.offloads}, app ${snapshot.app}, 198.18.${snapshot.subnet}.0/24`
    : "";
  $("view").textContent = snapshot.view >= 0 ? snapshot.view : "–";
  $("leader").textContent = snapshot.leader || "–";
  const client = snapshot.client;
  const live = client && client.running && client.ageMillis < 3000;
  $("ops").textContent = live ? number(client.opsPerSec) : "–";
  $("p99").textContent = live ? `${number(client.p99Micros)} µs` : "–";
  $("client").textContent = live
    ? `${client.clients} clients, ${client.phase}, ${client.elapsedSeconds.toFixed(0)} s; errors ${client.errors}, timeouts ${client.timeouts}`
    : "not running";
  renderHosts(snapshot);
  renderChart(snapshot);
  renderEvents(snapshot);
  $("connection").textContent = `live · ${new Date(snapshot.takenAtMillis).toLocaleTimeString("en-GB")}`;
  $("connection").className = "connection live";
}

const events = new EventSource("events");
events.onmessage = (message) => render(JSON.parse(message.data));
events.onerror = () => {
  $("connection").textContent = "reconnecting…";
  $("connection").className = "connection waiting";
};
