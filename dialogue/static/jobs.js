/* Progress of a background job: poll its JSON status and move the <progress> bar.
 * Without this script the page shows the same state and a "Refresh" link. Same origin only
 * (CSP script-src 'self'); polling stops when the job ends, on a lasting error, or after
 * two hours, and the page reloads once the job has ended to show the result. */
(function () {
  "use strict";
  var INTERVAL = 1000;
  var MAX_POLLS = 7200;
  var MAX_ERRORS = 10;

  function show(bar, status) {
    var box = bar.closest(".job-status") || document;
    if (status.total > 0) {
      bar.max = status.total;
      bar.value = status.done;
      var percent = Math.round((100 * status.done) / status.total);
      bar.textContent = percent + " %";
      var percentText = box.querySelector("[data-job-percent]");
      if (percentText) { percentText.textContent = String(percent); }
    }
    var message = box.querySelector("[data-job-message]");
    if (message && status.message) { message.textContent = status.message; }
  }

  function poll(bar, polls, errors) {
    if (polls >= MAX_POLLS || errors >= MAX_ERRORS) { return; }
    window.setTimeout(function () {
      fetch(bar.getAttribute("data-job-status"), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        cache: "no-store"
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (status) {
          show(bar, status);
          if (status.finished) {
            window.location.reload();
            return;
          }
          poll(bar, polls + 1, 0);
        })
        .catch(function () { poll(bar, polls + 1, errors + 1); });
    }, INTERVAL);
  }

  var bars = document.querySelectorAll("progress[data-job-status]");
  Array.prototype.forEach.call(bars, function (bar) { poll(bar, 0, 0); });
})();
