// Follows a release's publishing on its page: asks the API every few seconds
// while a step waits or runs, and updates each step's status in place (the
// summary is a polite live region). Without JavaScript the page says to refresh.
(function () {
  "use strict";
  var section = document.getElementById("publishing");
  if (!section || section.dataset.state !== "running" || !window.fetch) {
    return;
  }
  var url = section.dataset.statusUrl;
  var summary = section.querySelector('[data-role="summary"]');
  var labels = { pending: "Waiting", running: "Running", done: "Done", failed: "Failed" };

  function update(release) {
    release.steps.forEach(function (step) {
      var item = section.querySelector('[data-step="' + step.name + '"] [data-role="status"]');
      if (item) {
        item.textContent = labels[step.status] || step.status;
        item.className = "badge badge--step-" + step.status;
      }
    });
    section.dataset.state = release.state;
    if (release.state === "done" || release.state === "failed") {
      // Reload for the downloads and the retry buttons the server renders.
      summary.textContent = release.state === "done" ? "Published: every step is done." : "A step failed.";
      window.location.reload();
      return false;
    }
    return true;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (release) {
        if (release === null || update(release)) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
