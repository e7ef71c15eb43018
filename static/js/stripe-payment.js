// Mounts Stripe's Payment Element on #payment-element (checkout, return, top-up and other pay
// pages) and, where the page gives a return address, confirms the payment when the form is
// sent: a card is charged at once, Alipay and WeChat Pay redirect to their own page; either
// way Stripe sends the person back to the return address. A declined card stays here with
// Stripe's message, so that another card can be tried on the same PaymentIntent.
// A file, not an inline script, so that the Content-Security-Policy allows no inline code.
(function () {
  var el = document.getElementById("payment-element");
  if (!el || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(el.dataset.key, {locale: el.dataset.locale || "auto"});
  var elements = stripe.elements({clientSecret: el.dataset.clientSecret});
  elements.create("payment").mount(el);
  var form = document.getElementById("payment-form");
  var returnUrl = el.dataset.returnUrl;
  if (!form || !returnUrl) { return; }
  var button = document.getElementById("payment-submit");
  var message = document.getElementById("payment-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button) { button.disabled = true; }
    message.hidden = true;
    stripe.confirmPayment({elements: elements, confirmParams: {return_url: returnUrl}})
      .then(function (result) {
        if (result && result.error) {
          message.textContent = result.error.message;
          message.hidden = false;
          if (button) { button.disabled = false; }
        }
      });
  });
})();
