// The camp table without signal (issue 14). With a signal the table works as before (htmx);
// this module adds:
// - a service worker and a copy of the page and its static files, so the table reloads
//   without signal;
// - the camp's expected donors kept on the phone (name, group, may donate), to find a donor
//   by number without signal;
// - entries made without signal (or whose answer was lost) saved on the phone, each under
//   its own id, and sent in order when the signal returns: saved, or refused with reasons;
// - the banner "offline — N waiting", the state of each entry, and the totals' waiting count.
// Every text comes translated from the page (data-t-* attributes of #camp-offline).

import { normalise, phoneKey } from "./offline/phone.js";
import { deleteEntry, donorsOf, entries, expected, putExpected } from "./offline/store.js";
import { newId, Queue } from "./offline/sync.js";

const config = document.getElementById("camp-offline");
const CACHE = "camp-table-v1";
const RETRY_MS = 10000;

function t(name, values = {}) {
  let text = config.dataset["t" + name.replace(/(^|-)(\w)/g, (_m, _d, c) => c.toUpperCase())] || "";
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`__${key}__`, value);
  return text;
}

function online() {
  return navigator.onLine;
}

if (config) start();

function start() {
  const camp = Number(config.dataset.camp);
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  const queue = new Queue({
    camp,
    url: config.dataset.syncUrl,
    csrf,
    onChange: render,
    onSaved: refreshPanels,
  });
  const result = document.getElementById("table-result");
  const banner = document.getElementById("offline-banner");
  const list = document.getElementById("offline-entries");
  const section = document.getElementById("offline-queue");

  // --- What the page shows -------------------------------------------------------------
  async function render() {
    const all = await entries(camp);
    const waiting = all.filter((e) => e.state === "waiting").length;
    banner.hidden = online() && waiting === 0 && !queue.needsSignIn;
    banner.className = "alert mb-2 py-2 fw-semibold " + (online() ? "alert-info" : "alert-warning");
    banner.textContent = online()
      ? queue.needsSignIn && waiting
        ? t("sign-in", { N: waiting })
        : t("syncing", { N: waiting })
      : t("offline", { N: waiting });
    section.hidden = all.length === 0;
    list.replaceChildren(...all.slice().reverse().map(item));
    const total = document.querySelector("[data-testid=total-waiting]");
    if (total) {
      total.hidden = waiting === 0;
      total.textContent = t("waiting-total", { N: waiting });
    }
    if (queue.totals) {
      for (const [name, value] of Object.entries(queue.totals)) {
        const cell = document.querySelector(`[data-testid=total-${name}]`);
        if (cell) cell.textContent = value;
      }
    }
  }

  // After entries were saved: the totals by group and the latest entries as the server
  // counts them (the page read again; its copy on the phone is refreshed on the way).
  async function refreshPanels() {
    try {
      const response = await fetch(location.pathname, { credentials: "same-origin" });
      if (!response.ok || response.redirected) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const id of ["camp-totals", "camp-entries"]) {
        const fresh = page.getElementById(id);
        const old = document.getElementById(id);
        if (fresh && old) {
          old.replaceWith(fresh);
          if (window.htmx) window.htmx.process(fresh);
        }
      }
      queue.totals = null;
      render();
    } catch (error) {
      /* no signal again: the next run tries */
    }
  }

  function item(entry) {
    const li = document.createElement("li");
    li.className = "py-1 border-bottom";
    li.dataset.testid = "offline-entry";
    li.dataset.state = entry.state;
    const badge = document.createElement("span");
    badge.className = "badge me-1 " + {
      waiting: "text-bg-secondary",
      saved: "text-bg-success",
      refused: "text-bg-danger",
    }[entry.state];
    badge.textContent = t("state-" + entry.state);
    const text = document.createElement("span");
    text.textContent = entry.state === "saved" && entry.message ? entry.message : entry.label;
    li.append(badge, text);
    if (entry.state === "refused") {
      const reasons = document.createElement("ul");
      reasons.className = "small text-danger mb-1";
      reasons.dataset.testid = "refusal-reasons";
      for (const reason of entry.reasons) {
        const r = document.createElement("li");
        r.textContent = reason;
        reasons.append(r);
      }
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "btn btn-sm btn-outline-secondary";
      dismiss.textContent = t("dismiss");
      dismiss.addEventListener("click", () => deleteEntry(entry.client_id).then(render));
      li.append(reasons, dismiss);
    }
    return li;
  }

  function notice(text, kind = "danger") {
    const div = document.createElement("div");
    div.className = `alert alert-${kind}`;
    div.setAttribute("role", kind === "danger" ? "alert" : "status");
    div.dataset.testid = kind === "danger" ? "lookup-error" : "queued";
    div.textContent = text;
    return div;
  }

  // --- Finding a donor without signal ----------------------------------------------------
  async function lookupOffline(raw, choice) {
    const phone = normalise(raw);
    if (!phone) return result.replaceChildren(notice(t("bad-phone")));
    const list = await expected(camp);
    const key = list && (await phoneKey(camp, phone));
    const found = donorsOf(list, key);
    // A family on one number: everyone on it, to pick the person at the table.
    if (found.length > 1 && choice === undefined) return chooseOffline(phone, found);
    const donor = choice === null ? null : choice || found[0];
    const template = document.getElementById(donor ? "offline-card" : "offline-new-donor");
    const fragment = template.content.cloneNode(true);
    if (donor) {
      fragment.querySelector("[data-slot=name]").textContent = donor.name;
      fragment.querySelector("[data-slot=group]").textContent = donor.group || "?";
      fragment.querySelector(donor.may ? "[data-slot=may]" : "[data-slot=not-today]").hidden = false;
    } else if (!list) {
      fragment.querySelector("[data-slot=no-list]").hidden = false;
    }
    const form = fragment.querySelector("form");
    // The entry's ids, fixed now: a second tap on the same form is the same entry.
    form.dataset.recordId = newId();
    form.dataset.donorId = newId();
    form.dataset.phone = phone;
    form.dataset.name = donor ? donor.name : "";
    form.dataset.donor = donor && donor.id ? String(donor.id) : "";
    result.replaceChildren(fragment);
  }

  function chooseOffline(phone, donors) {
    const section = document.createElement("section");
    section.className = "card card-body mb-3 border-primary border-2";
    section.dataset.testid = "shared-phone";
    const heading = document.createElement("h2");
    heading.className = "h5";
    heading.textContent = t("shared-phone");
    section.append(heading);
    for (const donor of donors) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-primary w-100 mb-2 d-flex justify-content-between";
      button.dataset.testid = "shared-phone-donor";
      const name = document.createElement("span");
      name.textContent = donor.name;
      const group = document.createElement("span");
      group.className = "badge text-bg-danger";
      group.textContent = donor.group || "?";
      button.append(name, group);
      button.addEventListener("click", () => lookupOffline(phone, donor));
      section.append(button);
    }
    const other = document.createElement("button");
    other.type = "button";
    other.className = "btn btn-link btn-sm px-0";
    other.dataset.testid = "someone-else";
    other.textContent = t("someone-else");
    other.addEventListener("click", () => lookupOffline(phone, null));
    section.append(other);
    result.replaceChildren(section);
  }

  function fieldsOf(form, submitter) {
    const data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    const fields = {};
    for (const [name, value] of data.entries()) fields[name] = value;
    return fields;
  }

  const SCREENING = [
    "outcome", "haemoglobin_g_dl", "weight_kg", "bp_systolic", "bp_diastolic",
    "bag_number", "bag_volume_ml", "deferral_category", "record_anyway",
  ];
  const REGISTRATION = [
    "name", "sex", "date_of_birth", "blood_group", "weight_kg", "consent", "consent_reminders",
  ];

  function pick(fields, names) {
    const out = {};
    for (const name of names) if (name in fields) out[name] = fields[name];
    return out;
  }

  function recordLabel(name, fields) {
    return fields.outcome === "deferred"
      ? t("label-deferred", { NAME: name })
      : t("label-collected", { NAME: name, BAG: fields.bag_number || "?" });
  }

  // An entry made without signal (or whose answer never came): it waits on the phone.
  async function enqueue(form, submitter) {
    const fields = fieldsOf(form, submitter);
    const phone = form.dataset.phone || normalise(fields.phone) || fields.phone;
    let name = form.dataset.name || fields.name || phone;
    if (form.dataset.offlineForm === "new-donor") {
      const registration = { phone, ...pick(fields, REGISTRATION) };
      await queue.add("donor", registration, t("label-registered", { NAME: name }), form.dataset.donorId);
    } else if (form.dataset.testid === "new-donor-form") {
      // The server's walk-in form whose answer never came: the registration alone.
      const registration = { phone, ...pick(fields, REGISTRATION) };
      await queue.add("donor", registration, t("label-registered", { NAME: name }), fields.client_id);
      return done(name);
    } else if (!form.dataset.name) {
      const card = document.querySelector("[data-testid=donor-name]");
      if (card) name = card.textContent.trim();
    }
    const screening = { phone, ...pick(fields, SCREENING) };
    // Which donor on a shared number: the offline pick, or the server card's hidden field.
    const donor = form.dataset.donor || fields.donor;
    if (donor) screening.donor = donor;
    // A donor registered on this phone just before: the record is theirs (the number may
    // be a family's).
    if (form.dataset.offlineForm === "new-donor") screening.registered = form.dataset.donorId;
    // The server's card carries its id: the same as the post that got no answer.
    const id = form.dataset.recordId || fields.client_id;
    await queue.add("record", screening, recordLabel(name, screening), id);
    done(name);
  }

  function done(name) {
    result.replaceChildren(notice(t("queued", { NAME: name }), "info"));
    const box = document.getElementById("id_phone");
    if (box) {
      box.value = "";
      box.focus();
    }
    if (online()) queue.sync();
  }

  // Without signal, the table's forms are answered here instead of by the server.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const offlineForm = form.dataset.offlineForm;
      const tableForm = ["lookup-form", "screening-form", "new-donor-form"].includes(form.dataset.testid);
      if (!offlineForm && (!tableForm || online())) return;
      event.preventDefault();
      event.stopPropagation();
      if (form.dataset.testid === "lookup-form") {
        lookupOffline(form.querySelector("[name=phone]").value);
      } else {
        enqueue(form, event.submitter);
      }
    },
    true,
  );

  // With a signal that drops mid-request (htmx gets no answer): the same fallbacks.
  document.body.addEventListener("htmx:sendError", (event) => {
    const form = event.detail.elt.closest("form");
    if (!form) return;
    if (form.dataset.testid === "lookup-form") {
      lookupOffline(form.querySelector("[name=phone]").value);
    } else if (["screening-form", "new-donor-form"].includes(form.dataset.testid)) {
      const submitter = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent
        ? event.detail.requestConfig.triggeringEvent.submitter
        : null;
      enqueue(form, submitter);
    }
  });
  // htmx replaces the totals after each entry: show the waiting count again.
  document.body.addEventListener("htmx:afterSettle", render);

  // --- Keeping a copy for when there is no signal ---------------------------------------
  async function keepCopies() {
    if ("serviceWorker" in navigator) {
      try {
        await navigator.serviceWorker.register(config.dataset.swUrl, { scope: config.dataset.swScope });
      } catch (error) {
        /* no worker (plain http on a camp network): the queue still works while the page is open */
      }
    }
    if ("caches" in window) {
      const cache = await caches.open(CACHE);
      const assets = performance
        .getEntriesByType("resource")
        .map((entry) => new URL(entry.name))
        .filter((url) => url.origin === location.origin && url.pathname.startsWith(config.dataset.staticUrl))
        .map((url) => url.pathname + url.search);
      const missing = [];
      for (const url of new Set([location.pathname, ...assets])) {
        if (!(await cache.match(url))) missing.push(url);
      }
      await Promise.all(missing.map((url) => cache.add(url).catch(() => null)));
    }
    const response = await fetch(config.dataset.donorsUrl, { credentials: "same-origin" });
    if (response.ok) {
      const body = await response.json();
      await putExpected(camp, body.day, body.donors);
    }
  }

  window.addEventListener("online", () => {
    render();
    queue.sync();
  });
  window.addEventListener("offline", render);
  setInterval(() => {
    if (online()) queue.sync();
  }, RETRY_MS);

  render();
  if (online()) {
    queue.sync();
    const keep = () =>
      keepCopies()
        .catch(() => null)
        .then(() => {
          config.dataset.ready = "1"; // the copies are kept (browser tests wait for it)
        });
    if (document.readyState === "complete") keep();
    else window.addEventListener("load", keep);
  }
}
