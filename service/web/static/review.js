// The review queue: one key or one click per decision, bulk actions, undo; no page reload.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const words = document.getElementById("words").dataset;
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
    list[focused].focus();
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

  async function decide(ids, action, reason) {
    if (!ids.length) return;
    const index = focused;
    const answer = await post("decisions", {ids, action, from: tab, reason: reason || null});
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
        card.querySelector(".actions").textContent = `${words.already}${r.status ? " (" + r.status + ")" : ""}`;
        setTimeout(() => { card.remove(); focusCard(focused); }, 4000);
      }
    }
    updateSelected();
    focusCard(index);
    if (done.length) { last = {ids: done, previous}; showToast(`${words.done} : ${action} × ${done.length}`, true); }
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

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.action) {
      const card = button.closest(".card");
      decide([card.dataset.id], button.dataset.action, button.dataset.reason);
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
      "?": () => { const help = document.getElementById("help"); help.hidden = !help.hidden; },
    };
    const run = keys[event.key];
    if (run) { event.preventDefault(); run(); }
  });
  focusCard(0);
})();
