/* Comment list and form for any blog page: <div data-post-id="..."></div> plus this script.
   No build step, no third-party requests; every text node is set with textContent. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src).origin;
  var lang = (document.documentElement.lang || "fr").slice(0, 2) === "en" ? "en" : "fr";
  var T = __TEXTS__[lang]; // the service's catalogue (service/i18n.py), filled in when served
  var FIELDS = [
    {name: "author", label: T.author, required: true, max: 245, type: "text", auto: "name"},
    {name: "email", label: T.email, required: true, max: 100, type: "email", auto: "email"},
    {name: "url", label: T.url, required: false, max: 200, type: "url", auto: "url"},
    {name: "content", label: T.content, required: true, max: 65525, type: "textarea"}
  ];
  var uid = 0;
  // Kept in this browser only: the commenter's details when they tick the box (as WordPress's cookie consent),
  // and their own comments still awaiting moderation, for this tab (shown to them alone after a reload).
  var SAVED = "moderation-commenter", PENDING = "moderation-pending";

  function load(store, key, fallback) {
    try { return JSON.parse(store.getItem(key)) || fallback; } catch (e) { return fallback; }
  }

  function keep(store, key, value) {
    try { if (value === null) store.removeItem(key); else store.setItem(key, JSON.stringify(value)); } catch (e) {}
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function check(field, value) {
    if (!value.trim()) return field.required ? T.required : null;
    if (value.length > field.max) return T.tooLong.replace("{max}", field.max);
    if (field.name === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return T.badEmail;
    if (field.name === "url" && !/^https?:\/\/[^\s]+$/i.test(value)) return T.badUrl;
    return null;
  }

  function renderList(section, comments, postId) {
    var published = {};
    comments.forEach(function (c) { published[c.id] = true; });
    var mine = load(window.sessionStorage, PENDING, []).filter(function (c) { return !published[c.id]; });
    keep(window.sessionStorage, PENDING, mine.length ? mine : null);  // published since: nothing to keep
    mine = mine.filter(function (c) { return c.post_id === postId; });
    comments = comments.concat(mine.map(function (c) { return Object.assign({pending: true}, c); }));
    var byParent = {};
    comments.forEach(function (c) { (byParent[c.parent_id || ""] = byParent[c.parent_id || ""] || []).push(c); });
    function branch(parent) {
      var ol = el("ol", {"class": "mod-list"});
      (byParent[parent] || []).forEach(function (c) {
        var li = el("li", {"class": "mod-comment", id: "comment-" + c.id});
        var head = el("p", {"class": "mod-meta"});
        if (c.url && /^https?:\/\//i.test(c.url)) {
          head.appendChild(el("a", {href: c.url, rel: "nofollow ugc noopener", "class": "mod-author"}, c.author));
        } else {
          head.appendChild(el("strong", {"class": "mod-author"}, c.author));
        }
        head.appendChild(el("time", {datetime: c.created_at}, " " + new Date(c.created_at).toLocaleString(lang)));
        li.appendChild(head);
        if (c.pending) {
          li.className += " mod-pending";
          li.appendChild(el("p", {"class": "mod-awaiting"}, T.pending));
        }
        li.appendChild(el("p", {"class": "mod-text"}, c.content));
        if (c.pending) { ol.appendChild(li); return; }
        var reply = el("button", {type: "button", "class": "mod-reply", "data-id": c.id, "data-author": c.author}, T.reply);
        li.appendChild(reply);
        if (byParent[c.id]) li.appendChild(branch(c.id));
        ol.appendChild(li);
      });
      return ol;
    }
    section.appendChild(el("h2", {}, T.comments + " (" + (comments.length - mine.length) + ")"));
    section.appendChild(comments.length ? branch("") : el("p", {}, T.none));
  }

  // The article, for the moderators' cards: the page's own words unless the placeholder names it.
  function articleOf(root) {
    var canonical = document.querySelector('link[rel="canonical"]');
    var url = root.getAttribute("data-post-url") || (canonical && canonical.href) || location.href.split("#")[0];
    var title = root.getAttribute("data-post-title") || document.title || "";
    return {title: title.trim().slice(0, 300) || undefined, url: /^https?:\/\//i.test(url) ? url.slice(0, 500) : undefined};
  }

  function renderForm(root, postId) {
    var article = articleOf(root);
    var form = el("form", {"class": "mod-form", novalidate: ""});
    form.appendChild(el("h2", {}, T.leave));
    form.appendChild(el("p", {"class": "mod-notice"}, T.notice));
    var replying = el("p", {"class": "mod-replying", hidden: ""});
    form.appendChild(replying);
    var inputs = {};
    FIELDS.forEach(function (f) {
      var id = "mod-" + f.name + "-" + (++uid);
      var p = el("p", {"class": "mod-field"});
      var label = el("label", {"for": id}, f.label);
      if (f.required) label.appendChild(el("span", {"class": "mod-required", "aria-hidden": "true"}, " *"));
      var input = el(f.type === "textarea" ? "textarea" : "input", {id: id, name: f.name, maxlength: String(f.max)});
      if (f.type !== "textarea") input.setAttribute("type", f.type);
      if (f.auto) input.setAttribute("autocomplete", f.auto);
      if (f.required) input.setAttribute("aria-required", "true");
      var error = el("span", {"class": "mod-error", id: id + "-error", role: "alert"});
      input.setAttribute("aria-describedby", error.id);
      p.appendChild(label); p.appendChild(input); p.appendChild(error);
      form.appendChild(p);
      inputs[f.name] = {input: input, error: error, field: f};
    });
    var saved = load(window.localStorage, SAVED, null);
    var consentId = "mod-consent-" + (++uid);
    var consentP = el("p", {"class": "mod-consent"});
    var consent = el("input", {type: "checkbox", id: consentId});
    consentP.appendChild(consent);
    consentP.appendChild(el("label", {"for": consentId}, " " + T.consent));
    form.appendChild(consentP);
    if (saved) {
      ["author", "email", "url"].forEach(function (name) { inputs[name].input.value = saved[name] || ""; });
      consent.checked = true;
    }
    var trap = el("p", {"class": "mod-hp", "aria-hidden": "true"});
    var honeypot = el("input", {type: "text", tabindex: "-1", autocomplete: "off"});
    trap.appendChild(honeypot);
    form.appendChild(trap);
    var status = el("p", {"class": "mod-status", role: "status", "aria-live": "polite"});
    var button = el("button", {type: "submit"}, T.send);
    form.appendChild(button);
    form.appendChild(status);
    var state = {token: null, honeypotField: "contact_website", parent: null};
    fetch(base + "/api/v1/form-token?post_id=" + encodeURIComponent(postId)).then(function (r) { return r.json(); })
      .then(function (t) { state.token = t.token; state.honeypotField = t.honeypot_field; }).catch(function () {});

    root.addEventListener("click", function (event) {
      var target = event.target;
      if (!target.classList || !target.classList.contains("mod-reply")) return;
      state.parent = target.getAttribute("data-id");
      replying.textContent = T.replyTo + target.getAttribute("data-author");
      replying.hidden = false;
      inputs.content.input.focus();
    });

    function show(errors) {
      var first = null;
      Object.keys(inputs).forEach(function (name) {
        var messages = errors[name] || [];
        inputs[name].error.textContent = messages.join(" ");
        inputs[name].input.setAttribute("aria-invalid", messages.length ? "true" : "false");
        if (messages.length && !first) first = inputs[name].input;
      });
      if (first) first.focus();
      return !!first;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var errors = {};
      var body = {post_id: postId, post_title: article.title, post_url: article.url};
      Object.keys(inputs).forEach(function (name) {
        var value = inputs[name].input.value;
        var problem = check(inputs[name].field, value);
        if (problem) errors[name] = [problem];
        if (value.trim()) body[name] = value;
      });
      if (show(errors)) return;
      if (state.parent) body.parent_id = state.parent;
      if (state.token) body.form_token = state.token;
      if (honeypot.value) body[state.honeypotField] = honeypot.value;
      button.disabled = true;
      status.textContent = T.sending;
      fetch(base + "/api/v1/comments", {method: "POST", body: JSON.stringify(body),
        headers: {"Content-Type": "application/json", "Accept-Language": lang}})
        .then(function (r) { return r.json().then(function (data) { return {code: r.status, data: data}; }); })
        .then(function (answer) {
          if (answer.code === 202) {
            if (consent.checked) keep(window.localStorage, SAVED, {author: body.author, email: body.email, url: body.url || ""});
            else keep(window.localStorage, SAVED, null);
            var mine = load(window.sessionStorage, PENDING, []);
            mine.push({id: answer.data.id, post_id: postId, author: body.author, url: null, content: body.content,
                       created_at: new Date().toISOString(), parent_id: body.parent_id || null});
            keep(window.sessionStorage, PENDING, mine);
            var remember = consent.checked;
            form.reset(); state.parent = null; replying.hidden = true;
            if (remember) {
              consent.checked = true;
              ["author", "email", "url"].forEach(function (n) { inputs[n].input.value = body[n] || ""; });
            }
            status.textContent = answer.data.message || T.received;
          } else {
            show(answer.data.errors || {});
            status.textContent = answer.data.message || T.failed;
          }
        })
        .catch(function () { status.textContent = T.failed; })
        .then(function () { button.disabled = false; });
    });
    root.appendChild(form);
  }

  function mount(root) {
    var postId = root.getAttribute("data-post-id");
    var section = el("section", {"class": "mod-comments", "aria-label": T.comments});
    root.appendChild(section);
    fetch(base + "/api/v1/posts/" + encodeURIComponent(postId) + "/comments?limit=500")
      .then(function (r) { return r.json(); })
      .then(function (page) { renderList(section, page.items || [], postId); })
      .catch(function () { renderList(section, [], postId); });
    renderForm(root, postId);
  }

  var sheet = el("link", {rel: "stylesheet", href: base + "/embed.css"});
  document.head.appendChild(sheet);
  Array.prototype.forEach.call(document.querySelectorAll("[data-post-id]"), mount);
})();
