// Draws the API documentation from the OpenAPI document (no inline script: the CSP forbids it).
document.addEventListener("DOMContentLoaded", () => {
  const target = document.getElementById("swagger-ui");
  if (target && window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: target.dataset.specUrl, domNode: target, deepLinking: true });
  }
});
