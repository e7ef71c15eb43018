// Starts Swagger UI on /api/v1/docs/. Flask-swagger-ui's own page does this in an inline
// script, which our Content-Security-Policy does not allow; this file replaces it.
window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "StandaloneLayout",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl]
  });
});
