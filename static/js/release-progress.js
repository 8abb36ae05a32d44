// Follows a release's publishing on its page: asks the API every few seconds while
// a step waits or runs, and updates each step's status in place. The summary is a
// status region, so each change is announced; when publishing ends it offers a link
// that shows the downloads, rather than reloading under the reader. Without
// JavaScript the page says to refresh.
(function () {
  "use strict";
  var section = document.getElementById("publishing");
  if (!section || section.dataset.state !== "running" || !window.fetch) {
    return;
  }
  var url = section.dataset.statusUrl;
  var summary = section.querySelector('[data-role="summary"]');
  var labels = { pending: "Waiting", running: "Running", done: "Done", failed: "Failed" };
  var failures = 0;

  function describe(release) {
    return release.steps
      .map(function (step) { return (labels[step.status] || step.status) + ": " + step.name; })
      .join("; ");
  }

  function finish(text) {
    summary.textContent = text + " ";
    var link = document.createElement("a");
    link.href = window.location.pathname;
    link.textContent = "Show the downloads";
    summary.appendChild(link);
  }

  function update(release) {
    release.steps.forEach(function (step) {
      var item = section.querySelector('[data-step="' + step.name + '"] [data-role="status"]');
      if (item) {
        item.textContent = labels[step.status] || step.status;
        item.className = "badge badge--step-" + step.status;
      }
    });
    section.dataset.state = release.state;
    if (release.state === "done") {
      finish("Published: every step is done.");
      return false;
    }
    if (release.state === "failed") {
      finish("A step failed.");
      return false;
    }
    summary.textContent = "Publishing is under way. " + describe(release) + ".";
    return true;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (release) {
        failures = 0;
        if (update(release)) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        // The page still says to refresh; stop asking after a few failures in a row.
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, 5000);
        }
      });
  }
  window.setTimeout(poll, 1000);
})();
