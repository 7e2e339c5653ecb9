// The dispatch board: reads the board JSON, draws the day (map, one column
// per truck, the orders left out, the clashes) and writes through the
// dispatch API (plan, move, lock, resolve), each POST with a fresh
// Idempotency-Key. No build step: a plain ES module; Leaflet is the global L
// loaded before it from our own static files.

const config = JSON.parse(document.getElementById("dboard-config").textContent);
const $ = (id) => document.getElementById(id);

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22"];
const REASONS = {
  no_location: "No map location for the customer",
  no_stock: "Not enough stock at the depot",
  capacity: "No truck has room left",
  window: "No truck reaches it within its window",
  no_truck: "No truck available",
};
const SINGAPORE = [1.3521, 103.8198];

let board = null;
let busy = false;
let map = null;
let routeLayer = null;

// -- small helpers ------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function uuid() {
  // crypto.randomUUID exists only in secure contexts (https, localhost); an
  // office PC on the plain-http LAN address still needs a real v4 UUID.
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const b = window.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hhmm(iso) {
  if (!iso) return "";
  const m = /T(\d{2}:\d{2})/.exec(iso);
  return m ? m[1] : iso;
}

function windowText(start, end) {
  if (!start && !end) return "any time";
  return `${start || "…"}–${end || "…"}`;
}

function num(value, digits = 1) {
  const n = Number(value);
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

function linesText(lines) {
  return (lines || []).map((l) => `${l.quantity} × ${l.name}`).join(", ");
}

function colourOf(index) {
  return COLOURS[index % COLOURS.length];
}

function status(text, kind = "") {
  const el = $("dboard-status");
  el.textContent = text;
  el.className = `dboard-status${kind ? ` dboard-status--${kind}` : ""}`;
}

function errorText(body, fallback) {
  if (!body || typeof body !== "object") return fallback;
  const parts = [body.detail || fallback];
  if (body.fields && typeof body.fields === "object") {
    for (const [field, messages] of Object.entries(body.fields)) {
      parts.push(`${field}: ${[].concat(messages).join(" ")}`);
    }
  }
  return parts.join(" ");
}

// -- the API --------------------------------------------------------------------------

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": config.csrf,
      "Idempotency-Key": uuid(),
    },
    body: JSON.stringify(body),
  });
  const data = await readJson(response);
  if (!response.ok) throw new Error(errorText(data, `Refused (${response.status}).`));
  return data;
}

async function write(label, url, body) {
  if (busy) return;
  busy = true;
  document.body.classList.add("dboard-busy");
  status(`${label}…`);
  try {
    await post(url, body);
    await load(`${label}: done.`);
  } catch (error) {
    status(`${label}: ${error.message}`, "error");
  } finally {
    busy = false;
    document.body.classList.remove("dboard-busy");
  }
}

async function load(message = "") {
  const url = `${config.urls.board}?date=${encodeURIComponent(config.date)}`;
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    status("The server cannot be reached. Try again in a moment.", "error");
    return;
  }
  const data = await readJson(response);
  if (!response.ok) {
    status(errorText(data, `The board could not be read (${response.status}).`), "error");
    return;
  }
  board = data;
  render();
  status(message || `Updated ${new Date().toLocaleTimeString("en-SG", { hour: "2-digit", minute: "2-digit" })}.`,
    message ? "ok" : "");
}

// -- the actions ------------------------------------------------------------------------

function planDay(replan) {
  const question = replan
    ? "Re-plan the day? Trucks already out keep the stops they have done."
    : "Plan the day for every truck?";
  if (!window.confirm(question)) return;
  write(replan ? "Re-plan" : "Plan the day", config.urls.plans, { date: config.date });
}

function moveOrder(order, vehicleId, plate) {
  if (!window.confirm(`Move order #${order} to ${plate}? It is locked to that truck and the day is re-planned.`)) {
    return false;
  }
  write(`Move #${order} to ${plate}`, config.urls.moves, { order, vehicle: vehicleId });
  return true;
}

function lockOrder(order, locked) {
  write(`${locked ? "Lock" : "Unlock"} #${order}`, config.urls.locks, { order, locked });
}

function resolveClash(clash) {
  const resolution = window.prompt(`Clash on order #${clash.order}: how was it settled?`, "");
  if (!resolution) return;
  write(`Resolve clash #${clash.id}`, config.urls.clashResolve.replace("/0/", `/${clash.id}/`), { resolution });
}

function moveSelect(order, currentVehicleId) {
  const trucks = (board.trucks || []).filter((t) => t.vehicle.id !== currentVehicleId);
  if (config.readOnly || trucks.length === 0) return null;
  const select = h(
    "select",
    { class: "dboard-move", "aria-label": `Move order #${order} to another truck` },
    h("option", { value: "" }, currentVehicleId ? "Move to…" : "Put on…"),
    trucks.map((t) => h("option", { value: t.vehicle.id }, t.vehicle.plate_number)),
  );
  select.addEventListener("change", () => {
    const truck = trucks.find((t) => String(t.vehicle.id) === select.value);
    if (truck && !moveOrder(order, truck.vehicle.id, truck.vehicle.plate_number)) select.value = "";
  });
  return select;
}

// -- drawing -------------------------------------------------------------------------

function render() {
  renderBar();
  renderCounts();
  renderTrucks();
  renderOrders("dboard-unassigned", board.unassigned || [], "Every order of the plan is on a truck.");
  renderOrders("dboard-unplanned", board.unplanned || [], "No order waits for a plan.");
  renderClashes();
  renderMap();
}

function renderBar() {
  const plan = board.plan;
  const planButton = $("dboard-plan");
  const replanButton = $("dboard-replan");
  if (planButton) planButton.hidden = Boolean(plan);
  if (replanButton) replanButton.hidden = !plan;
  $("dboard-plan-info").textContent = plan
    ? `Plan v${plan.version} (${plan.kind.toLowerCase()}), ${num(plan.total_km)} km, ${plan.engine} in ` +
      `${plan.solve_ms} ms, ${hhmm(plan.created_at)}${plan.created_by ? ` by ${plan.created_by}` : ""}`
    : "No plan for this day yet.";
}

function renderCounts() {
  const c = board.counts || {};
  const items = [
    ["orders", "orders"], ["planned", "planned"], ["unassigned", "unassigned"], ["unplanned", "not planned"],
    ["delivered", "delivered"], ["late", "late stops"],
  ];
  $("dboard-counts").replaceChildren(
    ...items.map(([key, label]) =>
      h("li", { class: `dboard-count dboard-count--${key}${c[key] ? " dboard-count--some" : ""}` },
        h("strong", {}, c[key] ?? 0), ` ${label}`)),
  );
}

function truckColumn(truck, index) {
  const v = truck.vehicle;
  const route = truck.route;
  const colour = colourOf(index);
  const loadKg = route ? Number(route.load_kg) : 0;
  const maxKg = Number(v.max_load_kg) || 0;
  const loadPct = maxKg ? Math.min(100, Math.round((loadKg / maxKg) * 100)) : 0;
  const sheetUrl = `${config.urls.loadSheet.replace("/0/", `/${v.id}/`)}?date=${encodeURIComponent(config.date)}`;
  const stops = route ? route.stops : [];
  return h(
    "section",
    { class: "dboard-truck", style: `--truck-colour: ${colour}`, dataset: { vehicle: v.id } },
    h("header", { class: "dboard-truck-head" },
      h("h3", {}, h("span", { class: "dboard-swatch", "aria-hidden": "true" }), v.plate_number,
        truck.out ? h("span", { class: "dboard-badge" }, "out") : null),
      h("div", { class: "dboard-truck-who" },
        truck.driver ? truck.driver.name : h("em", {}, "no driver"), " · ",
        truck.depot ? truck.depot.code : "", " · shift ", `${v.shift_start || "?"}–${v.shift_end || "?"}`),
      h("div", { class: "dboard-truck-stats" },
        route
          ? `${num(route.km)} km · ${num(route.minutes / 60)} h · ${hhmm(route.starts_at)}–${hhmm(route.ends_at)}`
          : "no route"),
      h("div", { class: `dboard-load${loadKg > maxKg && maxKg ? " dboard-load--over" : ""}`,
        title: "Gross weight of the cylinders of its stops against the truck's maximum load" },
      h("div", { class: "dboard-load-bar" }, h("span", { style: `width: ${loadPct}%` })),
      `${num(loadKg, 0)} / ${maxKg ? num(maxKg, 0) : "?"} kg`),
      h("a", { class: "button dboard-print", href: sheetUrl, target: "_blank", rel: "noopener" },
        "Print load sheet")),
    stops.length
      ? h("ol", { class: "dboard-stops" }, stops.map((stop) => stopItem(stop, v.id)))
      : h("p", { class: "dboard-empty" }, board.plan ? "No stops in this plan." : "Not planned yet."),
  );
}

function stopItem(stop, vehicleId) {
  const c = stop.customer || {};
  const controls = [];
  if (!config.readOnly && !stop.done) {
    controls.push(
      h("label", { class: "dboard-lock", title: "Keep this stop on this truck when the day is re-planned" },
        h("input", { type: "checkbox", checked: stop.locked, onchange: (e) => lockOrder(stop.order, e.target.checked) }),
        " lock"),
      moveSelect(stop.order, vehicleId),
    );
  } else if (stop.locked) {
    controls.push(h("span", { class: "dboard-tag" }, "locked"));
  }
  return h(
    "li",
    { class: `dboard-stop${stop.late ? " dboard-stop--late" : ""}${stop.done ? " dboard-stop--done" : ""}`,
      dataset: { order: stop.order } },
    h("div", { class: "dboard-stop-line" },
      h("span", { class: "dboard-seq" }, stop.sequence),
      h("strong", { class: "dboard-eta" }, hhmm(stop.eta)),
      h("span", { class: "dboard-cust" }, c.name || `order #${stop.order}`),
      stop.late ? h("span", { class: "dboard-late", title: "The ETA is after the window" }, "LATE") : null,
      stop.done ? h("span", { class: "dboard-tag" }, (stop.status || "done").toLowerCase()) : null),
    h("div", { class: "dboard-stop-meta" },
      `#${stop.order} · ${linesText(stop.lines)} · ${windowText(stop.window_start, stop.window_end)}`,
      stop.leg_km !== undefined && stop.leg_km !== null ? ` · ${num(stop.leg_km)} km` : ""),
    h("div", { class: "dboard-stop-meta" }, [c.address, c.postal_code].filter(Boolean).join(" ")),
    controls.length ? h("div", { class: "dboard-stop-tools" }, controls) : null,
  );
}

function renderTrucks() {
  const trucks = board.trucks || [];
  $("dboard-trucks").replaceChildren(
    ...(trucks.length
      ? trucks.map(truckColumn)
      : [h("p", { class: "dboard-empty" }, "No truck has an active driver for this day.")]),
  );
}

function renderOrders(id, orders, emptyText) {
  if (!orders.length) {
    $(id).replaceChildren(h("p", { class: "dboard-empty" }, emptyText));
    return;
  }
  $(id).replaceChildren(
    h("table", { class: "dboard-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Order"), h("th", {}, "Customer"), h("th", {}, "Window"),
        h("th", {}, "Why"), config.readOnly ? null : h("th", {}, ""))),
      h("tbody", {}, orders.map((o) => h("tr", { dataset: { order: o.order } },
        h("td", {}, `#${o.order}`, o.urgent ? h("span", { class: "dboard-late" }, "URGENT") : null),
        h("td", {}, (o.customer || {}).name || "", h("div", { class: "dboard-stop-meta" }, linesText(o.lines))),
        h("td", {}, windowText(o.window_start, o.window_end)),
        h("td", { class: "dboard-reason" }, o.reason ? REASONS[o.reason] || o.reason : "waiting for a plan"),
        config.readOnly ? null : h("td", {}, moveSelect(o.order, null)))))),
  );
}

function renderClashes() {
  const clashes = board.clashes || [];
  $("dboard-clashes-box").hidden = clashes.length === 0;
  $("dboard-clashes").replaceChildren(
    ...clashes.map((clash) =>
      h("div", { class: "dboard-clash", dataset: { clash: clash.id } },
        h("strong", {}, `Order #${clash.order}`),
        ` delivered (#${clash.delivery}) by ${clash.driver ? clash.driver.name || clash.driver : "a driver"}: `,
        clash.kind === "CANCELLED" ? "the order was cancelled" : "the order was on another truck",
        ` (${hhmm(clash.noted_at)})`,
        config.readOnly ? null
          : h("button", { type: "button", class: "button", onclick: () => resolveClash(clash) }, "Resolve"))),
  );
}

function point(obj) {
  if (!obj) return null;
  const lat = Number(obj.latitude);
  const lng = Number(obj.longitude);
  return obj.latitude !== null && obj.latitude !== undefined && Number.isFinite(lat) && Number.isFinite(lng)
    ? [lat, lng]
    : null;
}

function numberIcon(text, colour, extra = "") {
  return window.L.divIcon({
    className: `dboard-pin ${extra}`,
    html: `<span style="background:${colour}">${String(text).replace(/[^0-9A-Za-z]/g, "")}</span>`,
    iconSize: [24, 24],
    iconAnchor: [12, 12],
  });
}

function renderMap() {
  const L = window.L;
  const el = $("dboard-map");
  if (!L) {
    el.textContent = "The map library did not load.";
    return;
  }
  if (!map) {
    map = L.map(el, { attributionControl: Boolean(config.map.tiles), zoomSnap: 0.25 });
    const tiles = config.map.tiles;
    if (tiles && tiles.url) {
      L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("dboard-map--blank");
    }
    routeLayer = L.layerGroup().addTo(map);
  }
  routeLayer.clearLayers();
  const bounds = [];
  (board.trucks || []).forEach((truck, index) => {
    const colour = colourOf(index);
    const depot = point(truck.depot);
    const path = depot ? [depot] : [];
    if (depot) {
      L.marker(depot, { icon: numberIcon("D", "#333", "dboard-pin--depot"), title: truck.depot.name })
        .bindTooltip(`${truck.depot.name} (${truck.depot.code})`).addTo(routeLayer);
      bounds.push(depot);
    }
    for (const stop of truck.route ? truck.route.stops : []) {
      const at = point(stop.customer);
      if (!at) continue;
      path.push(at);
      bounds.push(at);
      L.marker(at, { icon: numberIcon(stop.sequence, colour, stop.late ? "dboard-pin--late" : "") })
        .bindTooltip(`${truck.vehicle.plate_number} #${stop.sequence} ${hhmm(stop.eta)} ${stop.customer.name}` +
          `${stop.late ? " (late)" : ""}`)
        .addTo(routeLayer);
    }
    if (path.length > 1) L.polyline(path, { color: colour, weight: 4, opacity: 0.8 }).addTo(routeLayer);
  });
  for (const o of [...(board.unassigned || []), ...(board.unplanned || [])]) {
    const at = point(o.customer);
    if (!at) continue;
    bounds.push(at);
    L.circleMarker(at, { radius: 6, color: "#666", fillColor: "#fff", fillOpacity: 1, weight: 2 })
      .bindTooltip(`#${o.order} ${o.customer.name}: ${o.reason ? REASONS[o.reason] || o.reason : "not planned"}`)
      .addTo(routeLayer);
  }
  map.invalidateSize();
  if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
  else map.setView(SINGAPORE, 11);
}

// -- start ------------------------------------------------------------------------------

for (const button of document.querySelectorAll("[data-action=plan]")) {
  button.addEventListener("click", () => planDay(button.id === "dboard-replan"));
}
$("dboard-date").addEventListener("change", (e) => {
  if (e.target.value) $("dboard-bar").requestSubmit();
});
load();
