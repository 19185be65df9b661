// A mobile number as the server stores it (E.164, India), and the digest the camp's list of
// expected donors is keyed by (camps.views.table.phone_key): the list holds no number.

export function normalise(raw) {
  let digits = (raw || "").replace(/[\s\-().]/g, "");
  if (digits.startsWith("+91")) digits = digits.slice(3);
  else if (digits.length === 12 && digits.startsWith("91")) digits = digits.slice(2);
  else if (digits.length === 11 && digits.startsWith("0")) digits = digits.slice(1);
  return /^[6-9]\d{9}$/.test(digits) ? "+91" + digits : null;
}

export async function phoneKey(camp, e164) {
  if (!(globalThis.crypto && crypto.subtle)) return null; // not a secure context
  const data = new TextEncoder().encode(`${camp}:${e164}`);
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
