/* A job's page while the job is queued or running: fetch the page again every few seconds and copy in its state
   (#job-state, a polite live region: announced when it changes) and its body (#job-body: progress, then the
   result), without reloading the page, so focus and scroll stay where they are. Stops once the job has finished.
   Without JavaScript the page's own "refresh it" link does the same. Served from 'self' (script-src 'self'). */
(function () {
  "use strict";
  var live = document.getElementById("job-live");
  if (!live || live.getAttribute("data-finished") === "true" || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = Number(live.getAttribute("data-refresh")) || 2;

  function copy(id, next, asText) {
    var here = document.getElementById(id);
    var there = next.getElementById(id);
    if (!here || !there) {
      return;
    }
    if (asText) {
      if (here.textContent !== there.textContent) {
        here.innerHTML = there.innerHTML;
      }
    } else if (here.innerHTML !== there.innerHTML) {
      here.innerHTML = there.innerHTML;
    }
  }

  function update() {
    window.fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html");
        var nextLive = next.getElementById("job-live");
        if (!nextLive) {
          return;  // signed out, or another page: leave this one as it is
        }
        copy("job-state", next, true);
        copy("job-body", next, false);
        if (nextLive.getAttribute("data-finished") === "true") {
          live.setAttribute("data-finished", "true");
          return;
        }
        window.setTimeout(update, seconds * 1000);
      })
      .catch(function () {
        window.setTimeout(update, seconds * 2000);  // the server was busy: ask again, less often
      });
  }

  window.setTimeout(update, seconds * 1000);
}());
