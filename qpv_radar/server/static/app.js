/* qpv_radar local page. Every text from data or input is placed with textContent (never
   innerHTML); the home travels only in POST bodies. */
"use strict";
(function () {
  const cfg = JSON.parse(document.getElementById("qpv-config").textContent);
  const $ = (id) => document.getElementById(id);
  function W(code, params) {
    let s = cfg.words[code] || code;
    for (const [k, v] of Object.entries(params || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  }
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  const state = { home: null, radar: null, view: null, choose: {}, places: [] };
  window.qpvState = state; // read by the tests

  // ---- map ----------------------------------------------------------------------------
  const b = cfg.bounds;
  const map = L.map("map", { preferCanvas: false }).fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  L.tileLayer(cfg.tiles, { attribution: "", maxZoom: 19 }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(cfg.attribution.replace(/[<>&]/g, ""));
  window.qpvMap = map; // read by the tests
  const radarLayer = L.featureGroup().addTo(map);
  const routeLayer = L.layerGroup().addTo(map);
  let homeMarker = null;

  function tip(layer, text) {
    const span = el("span", text);
    layer.bindTooltip(span);
  }

  async function getJSON(url) {
    const r = await fetch(url, { credentials: "same-origin" });
    return r.json();
  }
  getJSON("/api/qpv?lang=" + cfg.lang).then((gj) => {
    const layer = L.geoJSON(gj, { style: { color: "#7a3fa0", weight: 1.5, fillOpacity: 0.08, className: "qpv-perimeter" } });
    layer.eachLayer((l) => {
      const p = l.feature.properties;
      tip(l, p.name || p.code || "");
      state.places.push({ name: p.name || p.code || "", kind: "QPV", center: l.getBounds().getCenter() });
    });
    layer.addTo(map);
  });
  getJSON("/api/structures?lang=" + cfg.lang).then((d) => {
    for (const s of d.structures) {
      state.places.push({ name: s.name, kind: s.address || "", center: L.latLng(s.lat, s.lon) });
    }
  });

  // ---- home ---------------------------------------------------------------------------
  function setHome(lat, lon) {
    state.home = { lon: Math.round(lon * 1e6) / 1e6, lat: Math.round(lat * 1e6) / 1e6 };
    $("lon").value = state.home.lon;
    $("lat").value = state.home.lat;
    if (homeMarker) homeMarker.remove();
    homeMarker = L.circleMarker([lat, lon], { radius: 9, color: "#000", fillColor: "#ffd400", fillOpacity: 1, className: "qpv-home" }).addTo(map);
    $("home-text").textContent = W("web.js.home_set", { lon: state.home.lon, lat: state.home.lat });
  }
  map.on("click", (ev) => setHome(ev.latlng.lat, ev.latlng.lng));
  $("set-home").addEventListener("click", () => {
    const lon = parseFloat($("lon").value.replace(",", ".")), lat = parseFloat($("lat").value.replace(",", "."));
    if (!isFinite(lon) || !isFinite(lat)) { $("home-text").textContent = W("web.js.no_home"); return; }
    setHome(lat, lon);
    map.setView([lat, lon], Math.max(map.getZoom(), 14));
  });

  // ---- place search (offline; the BAN only when ticked) -------------------------------
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  function placeItem(name, detail, lat, lon) {
    const li = el("li");
    const btn = el("button", name);
    btn.type = "button";
    btn.addEventListener("click", () => { setHome(lat, lon); map.setView([lat, lon], 15); $("places").replaceChildren(); });
    li.append(btn, el("small", " " + (detail || "")));
    return li;
  }
  let banTimer = null;
  $("ban").addEventListener("change", () => { $("ban-warning").hidden = !$("ban").checked; });
  $("place").addEventListener("input", () => {
    const q = fold($("place").value.trim());
    const list = $("places");
    list.replaceChildren();
    if (q.length < 2) return;
    const hits = state.places.filter((p) => fold(p.name).includes(q)).slice(0, 8);
    for (const p of hits) list.append(placeItem(p.name, p.kind, p.center.lat, p.center.lng));
    if (!hits.length && !$("ban").checked) list.append(el("li", W("web.js.no_place")));
    if ($("ban").checked && q.length >= 3) {
      clearTimeout(banTimer);
      const text = $("place").value.trim();
      banTimer = setTimeout(async () => {
        try {
          const c = map.getCenter();
          const url = "https://api-adresse.data.gouv.fr/search/?limit=5&q=" + encodeURIComponent(text) + "&lat=" + c.lat.toFixed(3) + "&lon=" + c.lng.toFixed(3);
          const r = await fetch(url, { credentials: "omit", referrerPolicy: "no-referrer" });
          const d = await r.json();
          for (const f of d.features || []) {
            const [lon, lat] = f.geometry.coordinates;
            list.append(placeItem(f.properties.label, "BAN", lat, lon));
          }
        } catch (e) { list.append(el("li", W("web.js.offline"))); }
      }, 350);
    }
  });

  // ---- the radar ----------------------------------------------------------------------
  function request() {
    return {
      lang: cfg.lang,
      home: state.home,
      needs: [...document.querySelectorAll("input[name=need]:checked")].map((i) => i.value),
      modes: [...document.querySelectorAll("input[name=mode]:checked")].map((i) => i.value),
      day: $("day").value, from: $("from").value, until: $("until").value,
      arrive_by: $("arrive_by").value || null,
      max_minutes: parseFloat($("max").value),
    };
  }
  async function post(url, body) {
    const r = await fetch(url + "?lang=" + cfg.lang, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-QPV-Lang": cfg.lang },
      body: JSON.stringify(body),
    });
    if (!r.ok) {
      let msg = r.status + "";
      try { msg = (await r.json()).error; } catch (e) { /* not JSON */ }
      const err = new Error(msg); err.status = r.status; throw err;
    }
    return r;
  }
  function showError(where, e) {
    where.textContent = e.status ? W("web.js.error", { message: e.message }) : W("web.js.offline");
    where.classList.add("error");
  }
  $("radar-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const st = $("status");
    st.classList.remove("error");
    if (!state.home) { st.textContent = W("web.js.no_home"); st.classList.add("error"); return; }
    st.textContent = W("web.js.computing");
    $("compute").disabled = true;
    try {
      const d = await (await post("/api/radar", request())).json();
      state.radar = d.radar; state.view = d.view; state.choose = {};
      draw(d.geojson, d.view);
      const n = d.view.roles.reduce((a, r) => a + r.entries.length, 0);
      st.textContent = W("web.js.structures", { n: n });
    } catch (e) { showError(st, e); } finally { $("compute").disabled = false; }
  });

  function chosenId(role) {
    if (state.choose[role]) return state.choose[role];
    const step = state.view.path.find((s) => s.role === role);
    if (step && step.entry_id) return step.entry_id;
    const r = state.view.roles.find((x) => x.role === role);
    return r && r.entries.length ? r.entries[0].id : null;
  }
  function entryOf(role, id) {
    const r = state.view.roles.find((x) => x.role === role);
    return r ? r.entries.find((e) => e.id === id) : null;
  }
  function drawRoutes() {
    routeLayer.clearLayers();
    for (const r of state.view.roles) {
      const e = entryOf(r.role, chosenId(r.role));
      if (e && e.route.length > 1) L.polyline(e.route, { color: "#c0392b", weight: 4, className: "qpv-route" }).addTo(routeLayer);
    }
  }
  function popup(e, roleName) {
    const box = el("div");
    box.append(el("strong", e.name), el("div", roleName), el("div", e.duration + " — " + e.way),
      el("div", e.leave_text || "", "leave"), el("div", e.state_text), el("div", e.hours), el("div", e.contact), el("div", e.source, "small"));
    return box;
  }
  function draw(geojson, view) {
    radarLayer.clearLayers();
    for (const f of geojson.features) {
      if (f.properties.kind === "ring") {
        L.geoJSON(f, { style: { color: "#2c7fb8", weight: 1, fillOpacity: 0.05, className: "qpv-ring" } }).addTo(radarLayer);
      }
    }
    const colors = { open: "#1a9850", closed: "#d73027", unknown: "#888888", beyond: "#bbbbbb" };
    for (const r of view.roles) {
      for (const e of r.entries) {
        const m = L.circleMarker([e.lat, e.lon], { radius: 7, color: "#222", weight: 1, fillColor: colors[e.marker] || "#888", fillOpacity: 0.9, className: "qpv-st state-" + e.marker + " role-" + r.role });
        m.bindPopup(popup(e, r.name));
        tip(m, e.name + " — " + e.duration);
        m.addTo(radarLayer);
      }
    }
    drawRoutes();
    if (radarLayer.getLayers().length) map.fitBounds(radarLayer.getBounds(), { padding: [10, 10], animate: false });
    $("summary").textContent = [view.where, view.when, view.modes, view.appointment].filter(Boolean).join(" · ");
    $("notices").replaceChildren(...view.notices.map((n) => el("li", n, "notice")));
    $("credits").textContent = view.credits + " " + view.data_date;
    drawList(view);
    $("result").hidden = false;
    $("print").hidden = false;
  }
  function drawPath() {
    $("path").replaceChildren(...state.view.path.map((s) => {
      const e = entryOf(s.role, state.choose[s.role] || s.entry_id);
      return el("li", s.role_name + " : " + (e ? e.name : s.text));
    }));
  }
  function drawList(view) {
    drawPath();
    const box = $("roles");
    box.replaceChildren();
    for (const r of view.roles) {
      box.append(el("h3", r.name));
      const ol = el("ol", null, "entries");
      for (const e of r.entries) {
        const li = el("li", null, "entry state-" + e.marker);
        li.dataset.id = e.id; li.dataset.role = r.role;
        const head = el("div", null, "head");
        head.append(el("strong", e.name), el("span", " " + e.duration, "minutes"), el("span", " " + e.state_text, "state"));
        if (e.leave_text) head.append(el("span", " — " + e.leave_text, "leave"));
        const btn = el("button", e.id === chosenId(r.role) ? W("web.js.chosen") : W("web.js.choose"), "choose");
        btn.type = "button";
        btn.addEventListener("click", () => { state.choose[r.role] = e.id; drawList(state.view); drawRoutes(); });
        head.append(btn);
        li.append(head);
        const dl = el("dl");
        const rows = [["web.js.way", e.way + (e.within_reach ? "" : " — " + W("web.js.beyond"))], ["web.js.hours", e.hours + " · " + e.open_text], ["web.js.contact", e.contact || "—"], ["web.js.source", e.source + (e.stale ? " · " + e.stale : "")]];
        for (const [k, v] of rows) dl.append(el("dt", W(k)), el("dd", v));
        li.append(dl);
        ol.append(li);
      }
      box.append(ol);
    }
  }

  // ---- printing -----------------------------------------------------------------------
  function printBody(extra) {
    return Object.assign({ lang: cfg.lang, radar: state.radar, choose: state.choose, agent: $("agent").value, relay: $("relay").value }, extra);
  }
  async function pdf(kind, paper) {
    const url = kind === "poster" ? "/api/poster.pdf" : "/api/card.pdf";
    const body = printBody({ paper: paper });
    if (kind === "poster") { delete body.agent; delete body.relay; }
    const r = await post(url, body);
    return r.blob();
  }
  window.qpvPdf = pdf; // used by the tests
  document.querySelectorAll("[data-print]").forEach((btn) => btn.addEventListener("click", async () => {
    const st = $("status");
    st.classList.remove("error");
    const kind = btn.dataset.print;
    if (kind === "html") {
      const f = el("form");
      f.method = "POST"; f.action = "/print?lang=" + cfg.lang; f.target = "_blank";
      const i = el("input"); i.type = "hidden"; i.name = "payload"; i.value = JSON.stringify(printBody({}));
      f.append(i); document.body.append(f); f.submit(); f.remove();
      return;
    }
    try {
      const blob = await pdf(kind, btn.dataset.paper);
      const a = el("a");
      a.href = URL.createObjectURL(blob); a.target = "_blank";
      a.download = kind === "poster" ? "radar-" + btn.dataset.paper + ".pdf" : "cartes.pdf";
      document.body.append(a); a.click(); a.remove();
    } catch (e) { showError(st, e); }
  }));

  // ---- the local directory ------------------------------------------------------------
  $("dir-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const st = $("dir-status");
    st.classList.remove("error");
    const body = { lang: cfg.lang, action: $("dir-action").value };
    document.querySelectorAll("#dir-form [data-field]").forEach((i) => { if (i.value.trim()) body[i.dataset.field] = i.value.trim(); });
    const ll = $("dir-lonlat").value.trim();
    if (ll) { const [lon, lat] = ll.split(","); body.lon = parseFloat(lon); body.lat = parseFloat(lat); }
    try {
      await post("/api/directory", body);
      st.textContent = W("web.js.saved");
    } catch (e) { showError(st, e); }
  });
})();
