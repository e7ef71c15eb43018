// The check-in page: live counts and the camera's QR reader. A file, not an inline
// script, so that the Content-Security-Policy allows no inline code.
(function () {
  // The phone's own barcode reader (BarcodeDetector); nothing is loaded from elsewhere.
  // Where it is missing the typed code is the way in.
  var counts = document.getElementById('pk-counts');
  function refresh() {
    fetch(counts.dataset.url, {credentials: 'same-origin'}).then(function (r) { return r.json(); })
      .then(function (data) {
        counts.querySelectorAll('[data-count]').forEach(function (el) { el.textContent = data[el.dataset.count]; });
      }).catch(function () {});
  }
  setInterval(refresh, 5000);
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices) { return; }
  var box = document.querySelector('.pk-camera'); box.hidden = false;
  document.getElementById('pk-scan').addEventListener('click', function () {
    var video = document.getElementById('pk-video');
    var detector = new BarcodeDetector({formats: ['qr_code']});
    navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}}).then(function (stream) {
      video.srcObject = stream; video.play();
      function tick() {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            var form = document.getElementById('pk-checkin-form');
            form.querySelector('[name=code]').value = codes[0].rawValue;
            form.submit();
          } else { requestAnimationFrame(tick); }
        }).catch(function () { requestAnimationFrame(tick); });
      }
      tick();
    }).catch(function () { box.hidden = true; });
  });
})();
