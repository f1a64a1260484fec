/* global document, window */
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
  var hash = region.getAttribute('data-hash');

  function busyInside() {
    return region.contains(document.activeElement) || region.querySelector('details[open]') !== null;
  }

  function refresh() {
    if (busy || document.hidden || busyInside()) return;
    busy = true;
    fetch(src, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (res.headers.get('x-console-session') === 'ended') {
          window.location.assign('/console/login');
          return null;
        }
        // The server names each version of the region by a hash: the same hash is nothing new.
        if (!res.ok || res.headers.get('x-live-hash') === hash) return null;
        var next = res.headers.get('x-live-hash');
        return res.text().then(function (html) {
          return { html: html, hash: next };
        });
      })
      .then(function (update) {
        if (update === null || busyInside()) return;
        hash = update.hash;
        region.innerHTML = update.html;
        if (status) status.textContent = 'Updated at ' + new Date().toLocaleTimeString();
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
