// The camp table's service worker (served at /camps/table-sw.js, scope /camps/). Network
// first: with a signal everything is as without it; without one, the camp table's page and
// its static files come from the copy kept on the phone (static/js/camp_offline.js fills it
// on the first visit; each visit with a signal refreshes the page's copy here).

const CACHE = "camp-table-v1";
const TABLE_PAGE = /^\/camps\/\d+\/table\/$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const isTable = request.mode === "navigate" && TABLE_PAGE.test(url.pathname) && !url.search;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (isTable && response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() =>
        caches
          .open(CACHE)
          .then((cache) => cache.match(isTable ? url.pathname : request, { ignoreVary: true }))
          .then((cached) => cached || Response.error()),
      ),
  );
});
