// Starts Swagger UI on /docs. Ours, not vendored: the page's CSP allows no inline script.
"use strict";
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    displayRequestDuration: true,
    showExtensions: true,
    // The default validator is an outside service that gets a copy of the document.
    validatorUrl: null,
  });
});
