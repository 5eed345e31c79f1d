// Starts Redoc on /redoc. Ours, not vendored: the page's CSP allows no inline script.
// System fonts only: no web fonts are fetched from anywhere.
"use strict";
window.addEventListener("load", function () {
  var root = document.getElementById("redoc");
  var sans = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var mono = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';
  Redoc.init(
    root.dataset.openapiUrl,
    {
      theme: {
        typography: {
          fontFamily: sans,
          headings: { fontFamily: sans },
          code: { fontFamily: mono },
        },
      },
      expandResponses: "200,201",
      jsonSampleExpandLevel: 3,
    },
    root
  );
});
