// The dashboard's behaviour: the change feed (GET /api/v1/changes/stream,
// docs/api.md "Changes") drives everything live, and GET /api/v1/items gives
// the item counters (read again, at most every ITEMS_REFRESH_MS, after
// changes that move them). No libraries. Server data reaches the DOM only as
// text (textContent, dataset), never as markup.
"use strict";
(function () {
  const CHANGES_PATH = "/api/v1/changes";
  const STREAM_PATH = "/api/v1/changes/stream";
  const ITEMS_PATH = "/api/v1/items?limit=1000";
  // The changes the page shows; the rest (money, events) are not asked for.
  const TYPES = [
    "item.created", "item.adjusted",
    "reservation.created", "reservation.confirmed", "reservation.cancelled",
    "reservation.expired", "reservation.extended",
    "order.placed", "order.cancelled",
    "waitlist.joined", "waitlist.offered", "waitlist.lapsed", "waitlist.left",
    "draw.created", "draw.entered", "draw.drawn",
  ];
  const TOKEN_KEY = "allot-token";
  const MAX_RESERVATIONS = 30;
  const MAX_WAITLIST = 30;
  const CHART_WINDOW_MS = 120 * 1000; // at most; less while the history is short
  const MIN_CHART_WINDOW_MS = 30 * 1000;
  const MAX_SAMPLES = 240;
  const SAMPLE_MS = 1000;
  const TICK_MS = 250;
  const RETRY_MS = 3000;
  const ITEMS_REFRESH_MS = 500;

  const $ = (id) => document.getElementById(id);
  const view = {
    status: $("status"),
    serverTime: $("server-time"),
    tokenForm: $("token-form"),
    tokenInput: $("token-input"),
    itemsBody: $("items").tBodies[0],
    itemsNote: $("items-note"),
    itemsEmpty: $("items-empty"),
    totals: {
      items: $("total-items"),
      onHand: $("total-on-hand"),
      held: $("total-held"),
      available: $("total-available"),
      sold: $("total-sold"),
    },
    rate: $("rate"),
    rateNow: $("rate-now"),
    reservations: $("reservations"),
    reservationsEmpty: $("reservations-empty"),
    waitlist: $("waitlist"),
    waitlistEmpty: $("waitlist-empty"),
    waitlistNote: $("waitlist-note"),
    draws: $("draws"),
    drawsEmpty: $("draws-empty"),
  };

  const state = {
    source: null,
    itemRows: new Map(), // item id -> <tr>
    reservations: new Map(), // reservation id -> {data, row}
    entries: new Map(), // waiting-list entry id -> <li>
    waiting: new Map(), // item id -> entries seen waiting (from the feed)
    draws: new Map(), // draw id -> {data, row}
    samples: [], // {atMs, count, intervalMs, perSecond}, ascending atMs
    created: new Map(), // second (ms, server clock) -> reservations created in it
    sampledUpTo: 0, // the seconds before this are in `samples`
    watchingSince: 0, // server time the stream opened
    clockOffsetMs: null, // server clock minus this browser's clock, once known
    itemsDue: false, // a change moved counters since the last read of the items
    itemsReading: false,
  };

  // ---- Access: a token from the URL fragment (#token=...), or typed in.

  function token() {
    const fromFragment = new URLSearchParams(location.hash.slice(1)).get("token");
    if (fromFragment) {
      sessionStorage.setItem(TOKEN_KEY, fromFragment);
      return fromFragment;
    }
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  function authHeaders() {
    const value = token();
    return value ? { Authorization: "Bearer " + value } : {};
  }

  // EventSource cannot send headers, so the stream takes the token in its query.
  function streamUrl(after) {
    const query = new URLSearchParams({ after: String(after), types: TYPES.join(",") });
    const value = token();
    if (value) query.set("token", value);
    return STREAM_PATH + "?" + query.toString();
  }

  function setStatus(name, text) {
    view.status.dataset.state = name;
    view.status.textContent = text;
  }

  // The newest change now (the Allot-Head header of a one-change page):
  // the stream follows from there, and the items read covers what came before.
  async function readHead() {
    const response = await fetch(CHANGES_PATH + "?limit=1", { headers: authHeaders(), cache: "no-store" });
    if (!response.ok) return { status: response.status };
    const head = Number(response.headers.get("Allot-Head"));
    return { status: response.status, head: Number.isFinite(head) ? head : 0 };
  }

  async function connect() {
    if (state.source) state.source.close();
    state.source = null;
    let answer;
    try {
      answer = await readHead();
    } catch (error) {
      answer = { status: 0 };
    }
    if (answer.status !== 200) {
      refused(answer.status);
      return;
    }
    const source = new EventSource(streamUrl(answer.head));
    state.source = source;
    source.onopen = () => {
      setStatus("live", "live");
      if (!state.watchingSince) state.watchingSince = serverNow();
    };
    source.onerror = () => {
      // EventSource reconnects by itself, resuming after the last id it saw.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        diagnose();
      } else {
        setStatus("connecting", "reconnecting");
      }
    };
    for (const type of TYPES) {
      source.addEventListener(type, (event) => onChange(JSON.parse(event.data)));
    }
    readItems();
  }

  function refused(status) {
    if (status === 401 || status === 403) {
      setStatus("unauthorized", "token needed");
      view.tokenForm.hidden = false;
      view.tokenInput.focus();
      return;
    }
    setStatus("error", status === 503 ? "server busy, retrying" : "disconnected, retrying");
    setTimeout(connect, RETRY_MS);
  }

  // The stream was refused, and EventSource does not say why: ask once
  // with fetch to learn the status, then offer a token or try again later.
  async function diagnose() {
    let status = 0;
    try {
      status = (await readHead()).status;
    } catch (error) {
      status = 0;
    }
    if (status === 200) {
      setStatus("connecting", "reconnecting");
      setTimeout(connect, RETRY_MS);
      return;
    }
    refused(status);
  }

  function serverNow() {
    return Date.now() + (state.clockOffsetMs || 0);
  }

  // A change's time is the server's clock at its commit, a moment before it
  // arrives: the largest offset seen is the closest (changes resent after a
  // reconnect are older and give smaller ones).
  function learnClock(atMs) {
    if (Number.isNaN(atMs)) return;
    const offset = atMs - Date.now();
    if (state.clockOffsetMs === null || offset > state.clockOffsetMs) state.clockOffsetMs = offset;
  }

  // ---- Changes

  function onChange(change) {
    const atMs = Date.parse(change.at);
    learnClock(atMs);
    if (change.type.startsWith("reservation.")) {
      onReservation(change.data);
      if (change.type === "reservation.created") countCreated(atMs);
    }
    if (change.type.startsWith("item.")) {
      showItem(change.data);
    }
    if (change.type.startsWith("waitlist.")) onWaitlistEntry(change.type, change.data);
    if (change.type === "draw.entered") onDrawEntry(change.data);
    else if (change.type.startsWith("draw.")) showDraw(change.data);
    // Reservations and orders move item counters their data does not carry.
    state.itemsDue = true;
  }

  async function readItems() {
    if (state.itemsReading) return;
    state.itemsReading = true;
    state.itemsDue = false;
    try {
      const response = await fetch(ITEMS_PATH, { headers: authHeaders(), cache: "no-store" });
      if (response.ok) onItems(await response.json());
    } catch (error) {
      state.itemsDue = true; // try again at the next refresh
    } finally {
      state.itemsReading = false;
    }
  }

  view.tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, view.tokenInput.value.trim());
    view.tokenForm.hidden = true;
    setStatus("connecting", "connecting");
    connect();
  });

  // ---- Items

  function flash(element) {
    element.classList.remove("changed");
    void element.offsetWidth; // restart the animation
    element.classList.add("changed");
  }

  function makeCell(field, className) {
    const cell = document.createElement("td");
    cell.dataset.field = field;
    if (className) cell.className = className;
    return cell;
  }

  function makeItemRow(id) {
    const row = document.createElement("tr");
    row.dataset.itemId = id;
    row.append(
      makeCell("id", "id"),
      makeCell("name", "name"),
      makeCell("onHand", "num"),
      makeCell("held", "num"),
      makeCell("available", "num"),
      makeCell("withheld", "num"),
      makeCell("sold", "num"),
    );
    const barCell = document.createElement("td");
    const bar = document.createElement("div");
    bar.className = "bar";
    for (const part of ["available", "held", "sold"]) {
      const span = document.createElement("span");
      span.className = part;
      bar.append(span);
    }
    barCell.append(bar);
    row.append(barCell);
    return row;
  }

  function setField(row, field, value, isNew) {
    const cell = row.querySelector('[data-field="' + field + '"]');
    const text = value === null || value === undefined ? "" : String(value);
    if (cell.textContent === text) return;
    cell.textContent = text;
    cell.toggleAttribute("data-zero", value === 0);
    if (!isNew) flash(cell);
  }

  function updateItemRow(row, item, isNew) {
    setField(row, "id", item.id, isNew);
    setField(row, "name", item.name, isNew);
    for (const field of ["onHand", "held", "available", "withheld", "sold"]) {
      setField(row, field, item[field], isNew);
    }
    const total = item.onHand + item.sold;
    const share = (n) => (total > 0 ? (100 * n) / total : 0) + "%";
    const bar = row.querySelector(".bar");
    bar.querySelector(".available").style.width = share(item.available);
    bar.querySelector(".held").style.width = share(item.held);
    bar.querySelector(".sold").style.width = share(item.sold);
    bar.title = item.available + " available, " + item.held + " held, " + item.sold + " sold";
  }

  // One item as a change carries it: its row, without reading them all.
  function showItem(item) {
    if (item.onHand === undefined) return; // an account
    const row = state.itemRows.get(item.id);
    if (row) updateItemRow(row, item, false);
    else state.itemsDue = true; // a new row goes in its place at the next read
  }

  function onItems(data) {
    const seen = new Set();
    const totals = { onHand: 0, held: 0, available: 0, sold: 0 };
    data.items.forEach((item, index) => {
      seen.add(item.id);
      let row = state.itemRows.get(item.id);
      const isNew = !row;
      if (isNew) {
        row = makeItemRow(item.id);
        state.itemRows.set(item.id, row);
      }
      // Rows follow the snapshot's order (by id).
      const at = view.itemsBody.children[index] || null;
      if (at !== row) view.itemsBody.insertBefore(row, at);
      updateItemRow(row, item, isNew);
      for (const field of Object.keys(totals)) totals[field] += item[field];
    });
    for (const [id, row] of state.itemRows) {
      if (!seen.has(id)) {
        row.remove();
        state.itemRows.delete(id);
      }
    }
    view.totals.items.textContent = data.next ? data.items.length + "+" : data.items.length;
    for (const field of Object.keys(totals)) view.totals[field].textContent = totals[field];
    view.itemsNote.textContent = data.next ? "the first " + data.items.length + " by id" : "";
    view.itemsEmpty.hidden = data.items.length > 0;
  }

  // ---- Reservations

  function describeLines(lines) {
    return lines
      .map((line) => (line.itemId !== undefined ? line.qty + " × " + line.itemId : line.seat + " @ " + line.eventId))
      .join(", ");
  }

  function makeReservationRow(id) {
    const row = document.createElement("li");
    row.dataset.reservationId = id;
    for (const part of ["rid", "what", "badge", "countdown"]) {
      const span = document.createElement("span");
      span.className = part;
      row.append(span);
    }
    row.querySelector(".rid").textContent = id;
    return row;
  }

  // What a reservation's status is now: a hold past its expiry is expired,
  // even before the server's sweep says so.
  function currentStatus(reservation, nowMs) {
    if (reservation.status === "held" && Date.parse(reservation.expiresAt) <= nowMs) return "expired";
    return reservation.status;
  }

  function formatRemaining(ms) {
    const seconds = Math.ceil(ms / 1000);
    const minutes = Math.floor(seconds / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return minutes >= 60 ? Math.floor(minutes / 60) + "h " + String(minutes % 60).padStart(2, "0") + "m" : minutes + ":" + rest;
  }

  function renderReservation(entry, nowMs) {
    const reservation = entry.data;
    const status = currentStatus(reservation, nowMs);
    const badge = entry.row.querySelector(".badge");
    if (badge.dataset.status !== status) {
      badge.dataset.status = status;
      badge.textContent = status;
      entry.row.dataset.status = status;
    }
    const countdown = entry.row.querySelector(".countdown");
    countdown.textContent = status === "held" ? formatRemaining(Date.parse(reservation.expiresAt) - nowMs) : "";
    countdown.title = status === "held" ? "expires at " + reservation.expiresAt : "";
  }

  function onReservation(reservation) {
    let entry = state.reservations.get(reservation.id);
    if (!entry) {
      entry = { data: reservation, row: makeReservationRow(reservation.id) };
      state.reservations.set(reservation.id, entry);
      view.reservations.prepend(entry.row); // newest first
      while (view.reservations.children.length > MAX_RESERVATIONS) {
        const last = view.reservations.lastElementChild;
        state.reservations.delete(last.dataset.reservationId);
        last.remove();
      }
    } else {
      flash(entry.row);
    }
    entry.data = reservation;
    entry.row.querySelector(".what").textContent = reservation.userId + " · " + describeLines(reservation.lines);
    renderReservation(entry, serverNow());
    view.reservationsEmpty.hidden = true;
  }

  // ---- Waiting lists: each entry as its latest change shows it, newest
  // first; an entry's change carries the entry, so no read is needed.

  function makeEntryRow(id) {
    const row = document.createElement("li");
    row.dataset.entryId = id;
    for (const part of ["rid", "what", "badge", "position"]) {
      const span = document.createElement("span");
      span.className = part;
      row.append(span);
    }
    row.querySelector(".rid").textContent = id;
    return row;
  }

  function onWaitlistEntry(type, entry) {
    let row = state.entries.get(entry.id);
    if (!row) {
      row = makeEntryRow(entry.id);
      state.entries.set(entry.id, row);
      view.waitlist.prepend(row);
      while (view.waitlist.children.length > MAX_WAITLIST) {
        const last = view.waitlist.lastElementChild;
        state.entries.delete(last.dataset.entryId);
        last.remove();
      }
    } else {
      flash(row);
    }
    row.dataset.status = entry.status;
    row.querySelector(".what").textContent = entry.userId + " · " + entry.qty + " × " + entry.itemId;
    const badge = row.querySelector(".badge");
    badge.dataset.status = entry.status;
    badge.textContent = entry.status;
    row.querySelector(".position").textContent =
      type === "waitlist.joined" && entry.status === "waiting" ? "#" + entry.position : entry.reservationId || "";
    // How many wait per item, as far as this page has seen.
    const waiting = state.waiting.get(entry.itemId) || new Set();
    if (entry.status === "waiting") waiting.add(entry.id);
    else waiting.delete(entry.id);
    state.waiting.set(entry.itemId, waiting);
    const busy = [...state.waiting].filter(([, ids]) => ids.size > 0);
    view.waitlistNote.textContent = busy.map(([item, ids]) => ids.size + " waiting for " + item).join(", ");
    view.waitlistEmpty.hidden = true;
  }

  // ---- Draws: each as its latest change shows it; entries count up from
  // draw.entered, and draw.drawn brings the offers.

  function drawRow(id) {
    let entry = state.draws.get(id);
    if (!entry) {
      const row = document.createElement("li");
      row.dataset.drawId = id;
      for (const part of ["what", "badge", "count", "rid"]) {
        const span = document.createElement("span");
        span.className = part;
        row.append(span);
      }
      row.querySelector(".rid").textContent = id;
      entry = { data: null, row };
      state.draws.set(id, entry);
      view.draws.prepend(row);
      view.drawsEmpty.hidden = true;
    } else {
      flash(entry.row);
    }
    return entry;
  }

  function renderDraw(entry) {
    const draw = entry.data;
    const row = entry.row;
    row.dataset.status = draw.status;
    row.querySelector(".what").textContent = draw.units + " × " + draw.itemId + " · closes " + draw.closesAt.slice(11, 19);
    const badge = row.querySelector(".badge");
    badge.dataset.status = draw.status;
    badge.textContent = draw.status;
    const offers = (draw.results || []).filter((r) => r.outcome === "offered").length;
    row.querySelector(".count").textContent =
      draw.entries + " entries" + (draw.status === "drawn" ? " · " + offers + " offers" : "");
    row.title = "seedHash " + draw.seedHash + (draw.seed ? "\nseed " + draw.seed : "");
  }

  function showDraw(draw) {
    const entry = drawRow(draw.id);
    entry.data = draw;
    renderDraw(entry);
  }

  function onDrawEntry(drawEntry) {
    const entry = state.draws.get(drawEntry.drawId);
    if (!entry || !entry.data) return; // opened before this page watched
    entry.data.entries += 1;
    renderDraw(entry);
  }

  function tick() {
    const nowMs = serverNow();
    if (state.clockOffsetMs !== null) {
      view.serverTime.textContent = "server " + new Date(nowMs).toISOString().slice(11, 19) + " UTC";
    }
    for (const entry of state.reservations.values()) renderReservation(entry, nowMs);
    sampleRate();
  }

  // ---- Reservations per second

  // Reservations are counted in the second of their change's time; a
  // second becomes a sample once it is over (with a little grace for
  // changes still on their way).
  function countCreated(atMs) {
    if (state.watchingSince && atMs < state.watchingSince - SAMPLE_MS) return;
    const second = Math.floor(atMs / SAMPLE_MS) * SAMPLE_MS;
    if (second < state.sampledUpTo) {
      // Late for its sample: it goes into the newest one instead of being lost.
      const last = state.samples[state.samples.length - 1];
      if (last) {
        last.count += 1;
        last.perSecond = (last.count * 1000) / last.intervalMs;
      }
    } else {
      state.created.set(second, (state.created.get(second) || 0) + 1);
    }
    view.rate.dataset.total = Number(view.rate.dataset.total || 0) + 1;
  }

  function sampleRate() {
    if (!state.watchingSince) return;
    const closed = Math.floor((serverNow() - 500) / SAMPLE_MS) * SAMPLE_MS; // seconds before are over
    if (!state.sampledUpTo) state.sampledUpTo = Math.floor(state.watchingSince / SAMPLE_MS) * SAMPLE_MS;
    if (closed - state.sampledUpTo > CHART_WINDOW_MS) state.sampledUpTo = closed - CHART_WINDOW_MS;
    let added = false;
    for (let second = state.sampledUpTo; second < closed; second += SAMPLE_MS) {
      const count = state.created.get(second) || 0;
      state.created.delete(second);
      state.samples.push({ atMs: second + SAMPLE_MS, count, intervalMs: SAMPLE_MS, perSecond: count });
      added = true;
    }
    if (closed > state.sampledUpTo) state.sampledUpTo = closed;
    if (!added) return;
    if (state.samples.length > MAX_SAMPLES) state.samples.splice(0, state.samples.length - MAX_SAMPLES);
    const latest = state.samples[state.samples.length - 1];
    view.rateNow.textContent = latest ? formatRate(latest.perSecond) + " now" : "";
    drawChart();
  }

  function formatRate(value) {
    return value >= 100 ? Math.round(value).toLocaleString("en") : value.toFixed(1);
  }

  // A round number at or above `value` for the top of the scale.
  function niceCeiling(value) {
    if (value <= 1) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) {
      if (step * magnitude >= value) return step * magnitude;
    }
    return 10 * magnitude;
  }

  function drawChart() {
    const canvas = view.rate;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);

    const pad = { left: 44, right: 10, top: 10, bottom: 22 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const samples = state.samples;
    const endMs = samples.length ? samples[samples.length - 1].atMs : serverNow();
    const history = samples.length ? endMs - samples[0].atMs : 0;
    const windowMs = Math.min(CHART_WINDOW_MS, Math.max(MIN_CHART_WINDOW_MS, history));
    const startMs = endMs - windowMs;
    const visible = samples.filter((sample) => sample.atMs >= startMs);
    const top = niceCeiling(Math.max(1, ...visible.map((sample) => sample.perSecond)));
    const x = (atMs) => pad.left + ((atMs - startMs) / windowMs) * plotW;
    const y = (value) => pad.top + plotH - (value / top) * plotH;

    g.font = "11px system-ui, sans-serif";
    g.fillStyle = "#6b7385";
    g.strokeStyle = "#e2e5eb";
    g.lineWidth = 1;
    g.textAlign = "right";
    g.textBaseline = "middle";
    for (const fraction of [0, 0.5, 1]) {
      const value = top * fraction;
      g.beginPath();
      g.moveTo(pad.left, Math.round(y(value)) + 0.5);
      g.lineTo(width - pad.right, Math.round(y(value)) + 0.5);
      g.stroke();
      g.fillText(formatRate(value), pad.left - 6, y(value));
    }
    g.textAlign = "left";
    g.textBaseline = "alphabetic";
    g.fillText(Math.round(windowMs / 1000) + " s ago", pad.left, height - 6);
    g.textAlign = "right";
    g.fillText("now", width - pad.right, height - 6);

    // One filled line per run of samples: a gap (the page was away)
    // stays empty rather than being bridged.
    for (const run of runs(visible)) {
      g.beginPath();
      g.moveTo(x(run[0].atMs), y(0));
      for (const sample of run) g.lineTo(x(sample.atMs), y(sample.perSecond));
      g.lineTo(x(run[run.length - 1].atMs), y(0));
      g.closePath();
      g.fillStyle = "rgba(52, 101, 217, 0.15)";
      g.fill();
      g.beginPath();
      run.forEach((sample, index) => {
        if (index === 0) g.moveTo(x(sample.atMs), y(sample.perSecond));
        else g.lineTo(x(sample.atMs), y(sample.perSecond));
      });
      g.strokeStyle = "#3465d9";
      g.lineWidth = 2;
      g.stroke();
    }
  }

  // Splits samples where one is more than three of its intervals after the last.
  function runs(samples) {
    const out = [];
    let run = [];
    for (const sample of samples) {
      const last = run[run.length - 1];
      if (last && sample.atMs - last.atMs > 3 * Math.max(sample.intervalMs, 1)) {
        out.push(run);
        run = [];
      }
      run.push(sample);
    }
    if (run.length) out.push(run);
    return out;
  }

  window.addEventListener("resize", drawChart);
  setInterval(tick, TICK_MS);
  setInterval(() => {
    if (state.itemsDue) readItems();
  }, ITEMS_REFRESH_MS);
  drawChart();
  connect();
})();
