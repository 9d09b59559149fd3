// descent report: records every script error of the page (uncaught errors, rejected promises,
// console.error) before anything else runs, so that a person sees them on the page and a test
// can read their count from the body element's data-errors. report.js shows them when done.
(function () {
  "use strict";
  var errors = [];
  window.descentErrors = errors;
  window.addEventListener("error", function (event) {
    errors.push(String(event.message || event.type) +
                (event.filename ? " (" + event.filename + ":" + event.lineno + ")" : ""));
  });
  window.addEventListener("unhandledrejection", function (event) {
    errors.push("unhandled rejection: " + String(event.reason));
  });
  var consoleError = console.error;
  console.error = function () {
    errors.push(Array.prototype.map.call(arguments, String).join(" "));
    return consoleError.apply(console, arguments);
  };
})();
