// Live updates: the only script. Pages work without it; with it, each new block
// re-renders the page's <main> from the server (at most every 2 s) and the link
// badge shows the node's websocket state.
(function () {
  if (!window.EventSource) return;
  var badge = document.getElementById("link"), busy = false, last = 0;
  function refresh() {
    var now = Date.now();
    if (busy || now - last < 2000) return;
    busy = true; last = now;
    fetch(location.href, { headers: { "X-Partial": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html) { var m = document.querySelector("main"); m.outerHTML = html; }
        document.body.dataset.height = window.lastHeight || "";
      })
      .finally(function () { busy = false; });
  }
  var es = new EventSource("/events");
  es.addEventListener("link", function (e) {
    var l = JSON.parse(e.data);
    badge.className = "link " + l.state;
    badge.textContent = "node link: " + l.state + (l.reconnects ? " (" + l.reconnects + " reconnects)" : "");
  });
  es.addEventListener("block", function (e) {
    var b = JSON.parse(e.data);
    if (!b.from_tx) { window.lastHeight = b.height; var h = document.getElementById("live-height"); if (h) h.textContent = b.height; }
    refresh();
  });
})();
