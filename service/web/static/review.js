// The review queue: one key or one click per decision, bulk actions, undo; no page reload.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const words = JSON.parse(document.getElementById("words").textContent);
  const list = document.getElementById("cards");
  const lang = list.dataset.lang;
  const toast = document.getElementById("toast");
  const toastText = document.getElementById("toast-text");
  const tab = new URLSearchParams(location.search).get("status") || "pending";
  let focused = 0;
  let last = null; // {ids, previous, timer}

  const cards = () => Array.from(document.querySelectorAll("#cards .card"));
  const selected = () => cards().filter((c) => c.querySelector(".pick").checked);

  function focusCard(i) {
    const list = cards();
    if (!list.length) { document.getElementById("empty").hidden = false; return; }
    focused = Math.max(0, Math.min(i, list.length - 1));
    list.forEach((c, n) => c.classList.toggle("focused", n === focused));
    list[focused].focus({preventScroll: true});
    list[focused].scrollIntoView({block: "nearest"});
  }

  function updateSelected() {
    document.getElementById("selected-count").textContent = String(selected().length);
  }

  function bump(name, delta) {
    const el = document.querySelector(`[data-count="${name}"]`);
    if (el) el.textContent = String(Math.max(0, Number(el.textContent) + delta));
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body),
    });
    if (response.status === 401) { location.href = "login"; throw new Error("signed out"); }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  function showToast(text, undoable) {
    toastText.textContent = text;
    document.getElementById("undo").hidden = !undoable;
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(() => { toast.hidden = true; last = null; }, 10000);
  }

  async function decide(ids, action, reason, trust) {
    if (!ids.length) return;
    if (tab === "approved" && action !== "approve" && !window.confirm(words.confirm_unpublish)) return;
    const index = focused;
    const answer = await post("decisions", {ids, action, from: tab, reason: reason || null, trust: !!trust});
    const done = [];
    const previous = {};
    for (const id of ids) {
      const card = document.getElementById(`c-${id}`);
      const r = answer.results[id];
      if (r.result === "ok") {
        done.push(id);
        previous[id] = r.previous;
        bump(r.previous, -1); bump({approve: "approved", reject: "rejected", spam: "spam"}[action], 1);
        if (card) card.remove();
      } else if (card) {
        card.classList.add("conflict");
        const state = r.status ? ` (${words["state_" + r.status] || r.status})` : "";
        card.querySelector(".actions").textContent = words.already + state;
        setTimeout(() => { card.remove(); focusCard(focused); }, 4000);
      }
    }
    updateSelected();
    focusCard(index);
    if (done.length) { last = {ids: done, previous}; showToast(words["done_" + action].replace("{n}", done.length), true); }
    else { showToast(words.already, false); }
  }

  async function undo() {
    if (!last) return;
    const {ids, previous} = last;
    last = null;
    await Promise.all(ids.map((id) => post("undo", {id, previous: previous[id]})));
    location.reload();
  }

  function target() {
    const sel = selected();
    if (sel.length) return sel.map((c) => c.dataset.id);
    const card = cards()[focused];
    return card ? [card.dataset.id] : [];
  }

  // Reply and edit: a small form in the card; the answer's message is said in the notice.
  function openEditor(card, kind) {
    if (!card || card.querySelector(".editor")) return;
    const form = document.createElement("form");
    form.className = "editor";
    const text = document.createElement("textarea");
    text.setAttribute("aria-label", kind === "edit" ? words.save : words.publish_reply);
    if (kind === "edit") text.value = card.querySelector(".content").textContent;
    const send = document.createElement("button");
    send.type = "submit";
    send.textContent = kind === "edit" ? words.save : words.publish_reply;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = words.cancel;
    cancel.addEventListener("click", () => { form.remove(); card.focus(); });
    form.append(text, send, cancel);
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") { form.remove(); card.focus(); } });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const answer = await post(kind, {id: card.dataset.id, content: text.value});
      showToast(answer.message, false);
      if (answer.result !== "ok") return;
      form.remove();
      if (kind === "edit") card.querySelector(".content").textContent = text.value;
      else if (tab !== "approved") { bump(tab, -1); bump("approved", 1); card.remove(); focusCard(focused); }
    });
    card.querySelector(".actions").after(form);
    text.focus();
  }

  async function remove(ids) {
    if (!ids.length || !window.confirm(words.confirm_delete.replace("{n}", ids.length))) return;
    const answer = await post("delete", {ids});
    for (const id of ids) { const card = document.getElementById(`c-${id}`); if (card) card.remove(); }
    bump(tab, -answer.deleted);
    updateSelected();
    focusCard(focused);
    showToast(answer.message, false);
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const card = button.closest(".card");
    if (button.dataset.do === "reply" || button.dataset.do === "edit") {
      openEditor(card, button.dataset.do);
    } else if (button.dataset.do === "delete") {
      remove([card.dataset.id]);
    } else if (button.dataset.bulkDelete !== undefined) {
      remove(selected().map((c) => c.dataset.id));
    } else if (button.id === "empty-spam") {
      if (!window.confirm(words.confirm_empty_spam.replace("{n}", button.dataset.count))) return;
      await post("empty-spam", {});
      location.reload();
    } else if (button.dataset.authorMode) {
      const answer = await post("author", {id: card.dataset.id, mode: button.dataset.authorMode, by: button.dataset.by});
      button.closest("details").open = false;
      showToast(answer.message, false);
    } else if (button.dataset.action) {
      decide([card.dataset.id], button.dataset.action, button.dataset.reason, button.dataset.trust);
    } else if (button.dataset.bulk) {
      decide(selected().map((c) => c.dataset.id), button.dataset.bulk, button.dataset.reason);
    } else if (button.id === "undo") {
      undo();
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target.classList.contains("pick")) updateSelected();
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches("input:not(.pick), select, textarea")) return;
    const keys = {
      j: () => focusCard(focused + 1),
      k: () => focusCard(focused - 1),
      x: () => { const c = cards()[focused]; if (c) { const box = c.querySelector(".pick"); box.checked = !box.checked; updateSelected(); } },
      a: () => decide(target(), "approve"),
      r: () => decide(target(), "reject"),
      t: () => decide(target(), "reject", "toxic"),
      o: () => decide(target(), "reject", "off_topic"),
      s: () => decide(target(), "spam"),
      u: () => undo(),
      c: () => openEditor(cards()[focused], "reply"),
      e: () => openEditor(cards()[focused], "edit"),
      "?": () => { const help = document.getElementById("help"); help.hidden = !help.hidden; },
      Escape: () => { document.getElementById("help").hidden = true; },
    };
    const run = keys[event.key];
    if (run) { event.preventDefault(); run(); }
  });

  // Times in the site's zone (MODERATION_TIME_ZONE) or the browser's, and how long ago, as WordPress shows them.
  const zone = list.dataset.timeZone || undefined;
  const absolute = new Intl.DateTimeFormat(lang, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", timeZone: zone, timeZoneName: "short"});
  const relative = new Intl.RelativeTimeFormat(lang, {numeric: "auto"});
  const STEPS = [[60, "second"], [60, "minute"], [24, "hour"], [7, "day"], [4.35, "week"], [12, "month"], [Infinity, "year"]];
  function ago(date) {
    let amount = (date.getTime() - Date.now()) / 1000;
    if (Math.abs(amount) < 45) return words.just_now;
    for (const [size, unit] of STEPS) {
      if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
      amount /= size;
    }
    return "";
  }
  function showTimes() {
    for (const el of document.querySelectorAll("#cards time[datetime]")) {
      const date = new Date(el.getAttribute("datetime"));
      if (Number.isNaN(date.getTime())) continue;
      el.textContent = `${ago(date)} · ${absolute.format(date)}`;
      el.title = absolute.format(date);
    }
  }
  showTimes();
  setInterval(showTimes, 30000);
  focusCard(0);
})();
