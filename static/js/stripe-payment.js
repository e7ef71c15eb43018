// Mounts Stripe's Payment Element on #payment-element (checkout and top-up pages).
// A file, not an inline script, so that the Content-Security-Policy allows no inline code.
(function () {
  var el = document.getElementById("payment-element");
  if (!el || typeof Stripe === "undefined") { return; }
  Stripe(el.dataset.key).elements({clientSecret: el.dataset.clientSecret})
    .create("payment").mount(el);
})();
