// The queue: entries made at the table wait on the phone and are sent in the order they were
// made, one at a time, each under its own id. The server answers "saved" (also for an entry
// it saved before: a replay) or "refused" with the reasons; no answer at all (no signal, a
// dropped connection, a server error, a sign-in page) leaves the entry waiting for the next try.

import { entries, putEntry } from "./store.js";

// A random (version 4) UUID, also where crypto.randomUUID is missing (plain http on a camp's
// own network is no secure context).
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class Queue {
  constructor({ camp, url, csrf, onChange, onSaved }) {
    Object.assign(this, { camp, url, csrf, onChange, onSaved });
    this.running = null;
    this.needsSignIn = false;
  }

  async add(kind, fields, label, clientId) {
    const list = await entries(this.camp);
    const seq = list.length ? list[list.length - 1].seq + 1 : 1;
    const entry = {
      client_id: clientId || newId(),
      camp: this.camp,
      seq,
      kind,
      fields,
      label,
      state: "waiting",
      reasons: [],
      message: "",
    };
    await putEntry(entry);
    this.onChange();
    return entry;
  }

  // One run at a time: a second call while a run is going waits for it, then runs again so
  // an entry added meanwhile is sent too.
  sync() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.sync();
      }
    });
    return this.running;
  }

  async run() {
    let answered = 0;
    for (const entry of await entries(this.camp)) {
      if (entry.state !== "waiting") continue;
      const answer = await this.send(entry);
      if (!answer) break; // no answer: keep the order, try again later
      entry.state = answer.state === "saved" ? "saved" : "refused";
      entry.reasons = answer.reasons || [];
      entry.message = answer.message || "";
      await putEntry(entry);
      if (answer.totals) this.totals = answer.totals;
      answered += 1;
      this.onChange();
    }
    if (answered && this.onSaved) await this.onSaved();
  }

  async send(entry) {
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf },
        body: JSON.stringify({ client_id: entry.client_id, kind: entry.kind, fields: entry.fields }),
      });
    } catch (error) {
      return null;
    }
    const type = response.headers.get("Content-Type") || "";
    this.needsSignIn = response.type === "opaqueredirect" || response.status === 403 && !type.includes("json");
    if (!type.includes("application/json") || response.status >= 500) return null;
    try {
      return await response.json();
    } catch (error) {
      return null;
    }
  }
}
