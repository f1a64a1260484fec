// tokpipe console: live updates without a reload. Every few seconds the page's live region is fetched
// again (the same server-rendered HTML) and swapped in when it changed; a polite live region says so.
// Nothing is swapped while focus or an open "raw reply" is inside the region, so keyboard users keep their place.
(function () {
  'use strict';
  var region = document.getElementById('live');
  var status = document.getElementById('live-status');
  if (!region || !region.getAttribute('data-live')) return;
  var src = region.getAttribute('data-live');
  var every = Number(region.getAttribute('data-poll-ms')) || 3000;
  var busy = false;
  var last = null;

  function busyInside() {
    return region.contains(document.activeElement) || region.querySelector('details[open]') !== null;
  }

  function refresh() {
    if (busy || document.hidden || busyInside()) return;
    busy = true;
    fetch(src, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (res.status === 401) {
          window.location.assign('/console/login');
          return null;
        }
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (html === null || html === last || busyInside()) return;
        var first = last === null;
        last = html;
        region.innerHTML = html;
        // The first fetch only replaces the page's own copy; later ones are news.
        if (!first && status) status.textContent = 'Updated at ' + new Date().toLocaleTimeString();
      })
      .catch(function () {
        if (status) status.textContent = 'Live updates paused: the console is not reachable.';
      })
      .then(function () {
        busy = false;
      });
  }

  setInterval(refresh, every);
})();
