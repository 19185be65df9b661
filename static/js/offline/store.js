// The camp table's storage on the phone (IndexedDB): the entries made at the table, each
// under its own id (the server's idempotency key), and each camp's list of expected donors.
// Plain promises over IndexedDB; no library needed for two stores.

const DB_NAME = "bloodbond-camp-table";
const VERSION = 1;
let opening = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open() {
  if (!opening) {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      // entries: {client_id, camp, seq, kind, fields, label, state, reasons, message}
      const entries = db.createObjectStore("entries", { keyPath: "client_id" });
      entries.createIndex("camp", "camp");
      db.createObjectStore("expected", { keyPath: "camp" });
    };
    opening = request(req);
  }
  return opening;
}

async function store(name, mode) {
  const db = await open();
  return db.transaction(name, mode).objectStore(name);
}

export async function putEntry(entry) {
  return request((await store("entries", "readwrite")).put(entry));
}

export async function deleteEntry(clientId) {
  return request((await store("entries", "readwrite")).delete(clientId));
}

// A camp's entries in the order they were made (the order they are sent in).
export async function entries(camp) {
  const all = await request((await store("entries", "readonly")).index("camp").getAll(camp));
  return all.sort((a, b) => a.seq - b.seq);
}

// Each key lists every donor on that number: a family may share one mobile.
export async function putExpected(camp, day, donors) {
  const byKey = {};
  for (const donor of donors) (byKey[donor.key] ||= []).push(donor);
  return request((await store("expected", "readwrite")).put({ camp, day, donors: byKey }));
}

// The donors on one key (a list kept before families shared numbers held one donor).
export function donorsOf(list, key) {
  const found = list && key ? list.donors[key] : null;
  return found ? [].concat(found) : [];
}

export async function expected(camp) {
  return request((await store("expected", "readonly")).get(camp));
}
