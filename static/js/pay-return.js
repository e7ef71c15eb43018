// The payment result page: while the payment is being confirmed ([data-refresh]), read the
// page again every few seconds (its "Check again" link does the same by hand).
(function () {
  var box = document.querySelector("[data-refresh]");
  if (!box) { return; }
  var seconds = parseInt(box.getAttribute("data-refresh"), 10) || 3;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
